/** Composition root: config → adapters → use cases → Slack listeners. */
export async function start(env: NodeJS.ProcessEnv): Promise<number> {
  void env;
  console.error('rolecall: the bot is not wired yet');
  return 1;
}
