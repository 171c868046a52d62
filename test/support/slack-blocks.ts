/**
 * Block Kit limits as Slack enforces them, for the emulator: a message or view over any limit is
 * rejected whole (`invalid_blocks`), which is what makes truncation bugs visible in tests.
 * Limits: docs.slack.dev/reference/block-kit/blocks and …/composition-objects.
 */
type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function textObj(
  v: unknown,
  where: string,
  max: number,
  problems: string[],
  kinds = ['plain_text', 'mrkdwn'],
) {
  if (!isObj(v)) return problems.push(`${where}: missing text object`);
  if (!kinds.includes(String(v.type))) problems.push(`${where}: text type must be ${kinds.join(' or ')}`);
  const t = v.text;
  if (typeof t !== 'string' || t.length === 0) problems.push(`${where}: text must be at least 1 character`);
  else if (t.length > max)
    problems.push(`${where}: text must be less than ${max + 1} characters (${t.length})`);
}

function element(e: unknown, where: string, problems: string[], actionIds: Set<string>) {
  if (!isObj(e)) return problems.push(`${where}: not an object`);
  if (typeof e.action_id === 'string') {
    if (e.action_id.length > 255) problems.push(`${where}: action_id longer than 255`);
    if (actionIds.has(e.action_id)) problems.push(`${where}: duplicate action_id ${e.action_id}`);
    actionIds.add(e.action_id);
  }
  if (e.type === 'button') {
    textObj(e.text, `${where}.text`, 75, problems, ['plain_text']);
    if (typeof e.value === 'string' && e.value.length > 2000)
      problems.push(`${where}: value longer than 2000`);
    if (e.style !== undefined && e.style !== 'primary' && e.style !== 'danger')
      problems.push(`${where}: style must be primary or danger`);
  } else if (e.type === 'plain_text_input') {
    for (const k of ['min_length', 'max_length'] as const)
      if (e[k] !== undefined && (typeof e[k] !== 'number' || e[k] < 0 || e[k] > 3000))
        problems.push(`${where}: ${k} must be 0..3000`);
  }
}

function block(b: unknown, where: string, problems: string[], blockIds: Set<string>) {
  if (!isObj(b)) return problems.push(`${where}: not an object`);
  if (typeof b.block_id === 'string') {
    if (b.block_id.length > 255) problems.push(`${where}: block_id longer than 255`);
    if (blockIds.has(b.block_id)) problems.push(`${where}: duplicate block_id ${b.block_id}`);
    blockIds.add(b.block_id);
  }
  const actionIds = new Set<string>();
  switch (b.type) {
    case 'section': {
      if (b.text === undefined && b.fields === undefined) problems.push(`${where}: needs text or fields`);
      if (b.text !== undefined) textObj(b.text, `${where}.text`, 3000, problems);
      if (b.fields !== undefined) {
        if (!Array.isArray(b.fields) || b.fields.length === 0 || b.fields.length > 10)
          problems.push(`${where}.fields: must hold 1..10 items`);
        else for (const [i, f] of b.fields.entries()) textObj(f, `${where}.fields[${i}]`, 2000, problems);
      }
      if (b.accessory !== undefined) element(b.accessory, `${where}.accessory`, problems, actionIds);
      return;
    }
    case 'header':
      return textObj(b.text, `${where}.text`, 150, problems, ['plain_text']);
    case 'actions':
      if (!Array.isArray(b.elements) || b.elements.length === 0 || b.elements.length > 25)
        return problems.push(`${where}.elements: must hold 1..25 items`);
      for (const [i, e] of b.elements.entries()) element(e, `${where}.elements[${i}]`, problems, actionIds);
      return;
    case 'context':
      if (!Array.isArray(b.elements) || b.elements.length === 0 || b.elements.length > 10)
        return problems.push(`${where}.elements: must hold 1..10 items`);
      for (const [i, e] of b.elements.entries())
        if (!(isObj(e) && e.type === 'image')) textObj(e, `${where}.elements[${i}]`, 3000, problems);
      return;
    case 'input':
      textObj(b.label, `${where}.label`, 2000, problems, ['plain_text']);
      return element(b.element, `${where}.element`, problems, actionIds);
    case 'divider':
    case 'image':
    case 'rich_text':
      return;
    default:
      problems.push(`${where}: unsupported block type ${String(b.type)}`);
  }
}

export function blockProblems(blocks: unknown, maxBlocks: number): string[] {
  const problems: string[] = [];
  if (blocks === undefined) return problems;
  if (!Array.isArray(blocks)) return ['blocks: must be an array'];
  if (blocks.length > maxBlocks)
    problems.push(`blocks: must hold at most ${maxBlocks} items (${blocks.length})`);
  const blockIds = new Set<string>();
  for (const [i, b] of blocks.entries()) block(b, `blocks[${i}]`, problems, blockIds);
  return problems;
}

export function viewProblems(view: unknown): string[] {
  if (!isObj(view)) return ['view: missing'];
  const problems: string[] = [];
  if (view.type !== 'modal' && view.type !== 'home') problems.push('view.type: must be modal or home');
  if (view.type === 'modal') {
    textObj(view.title, 'view.title', 24, problems, ['plain_text']);
    if (view.submit !== undefined) textObj(view.submit, 'view.submit', 24, problems, ['plain_text']);
    if (view.close !== undefined) textObj(view.close, 'view.close', 24, problems, ['plain_text']);
  }
  if (typeof view.private_metadata === 'string' && view.private_metadata.length > 3000)
    problems.push('view.private_metadata: longer than 3000');
  if (typeof view.callback_id === 'string' && view.callback_id.length > 255)
    problems.push('view.callback_id: longer than 255');
  problems.push(...blockProblems(view.blocks ?? [], 100).map((p) => `view.${p}`));
  return problems;
}
