/**
 * The lexicon: every word list the intent readers use (the grammar, the slot reader, the guards and
 * the LLM path's grounding), so that no two files disagree about what a role noun, a verb or a guard
 * word is (issue 15: three role-noun lists disagreed). Lowercase; possessive "'s" is its own token.
 */

/** A list written as one string of words separated by white space. */
const words = (list: string): string[] => list.trim().split(/\s+/);

/** Nouns that name a role or a grant, beside the role itself: "admin access", "my editor perms". */
export const ROLE_NOUNS = new Set(
  words('role roles access rights permission permissions perms privileges privs'),
);

export const GRANT_VERBS = new Set(
  words(`
    make grant give add promote upgrade set assign put appoint elevate provision get bump provide
    enable giv
  `),
);
/**
 * Inflected forms people use for the verbs above ("would you mind giving…", "requesting admin",
 * "removing bob from editor"): read as the base verb. Only -ing forms, which cannot be names.
 */
export const LEMMAS: Record<string, string> = {
  making: 'make',
  granting: 'grant',
  giving: 'give',
  adding: 'add',
  promoting: 'promote',
  upgrading: 'upgrade',
  assigning: 'assign',
  putting: 'put',
  elevating: 'elevate',
  provisioning: 'provision',
  bumping: 'bump',
  removing: 'remove',
  revoking: 'revoke',
  demoting: 'demote',
  dropping: 'drop',
  stripping: 'strip',
  deleting: 'delete',
  unassigning: 'unassign',
  rescinding: 'rescind',
  withdrawing: 'withdraw',
  downgrading: 'downgrade',
  deprovisioning: 'deprovision',
  requesting: 'request',
};
export const REVOKE_VERBS = new Set(
  words(`
    remove revoke demote drop strip delete unassign take kick rescind withdraw pull downgrade
    deprovision kill rm nuke yank
  `),
);
/** Verbs whose subject is the target: "I need admin", "@dana needs editor". */
export const NEED_VERBS = new Set(['need', 'needs', 'want', 'require', 'requires', 'request', 'like']);

/**
 * Words without which a message cannot be asking to grant / to remove a role. The LLM path checks
 * the model's action against them, so a question or a removal is never turned into a grant.
 */
export const GRANT_WORDS = new Set([
  ...GRANT_VERBS,
  ...NEED_VERBS,
  ...['have', 'love', 'allow', 'let', 'enable', 'bump', 'switch', 'move', 'change', 'become', 'requesting'],
  ...['extend', 'prolong', 'lengthen'],
]);
export const REVOKE_WORDS = new Set([
  ...REVOKE_VERBS,
  ...['off', 'away', 'out', 'disable', 'unset', 'lose', 'longer', 'removing', 'revoking', 'removal'],
]);

export const isRoleVerb = (w: string): boolean => GRANT_VERBS.has(w) || REVOKE_VERBS.has(w);

/** Words around a role or target that carry no meaning of their own here. */
export const PRE_FILLERS = new Set([
  ...ROLE_NOUNS,
  'a',
  'an',
  'the',
  'to',
  'as',
  'into',
  'in',
  'from',
  'of',
  'off',
  'out',
  'away',
  "'s",
  'role',
  'roles',
  'access',
  'user',
  'be',
  'become',
  'made',
  'member',
  'members',
  'part',
  'new',
  'rights',
  'permission',
  'permissions',
  'level',
  'status',
  'group',
  'back',
  'up',
  'also',
  'just',
  'please',
  'with',
]);
export const POST_FILLERS = new Set([
  ...ROLE_NOUNS,
  'role',
  'roles',
  'access',
  'rights',
  'permission',
  'permissions',
  'privileges',
  'privs',
  'perms',
  'group',
  'membership',
  'level',
  'status',
  'away',
  'back',
  'too',
  'also',
  'please',
  'pls',
  'plz',
  'thanks',
  'thank',
  'you',
  'thx',
  'ty',
  'now',
  'asap',
  'cheers',
  'again',
]);
/** A word before the role that says which way the change goes ("promote to", "remove from"). */
export const GRANT_LINKS = new Set(['to', 'as', 'into', 'in', 'with']);
export const REVOKE_LINKS = new Set(['from', 'of', 'off', 'out', 'as', "'s"]);

export const JUSTIFICATION_STARTS = new Set(
  words('because since bc cause cuz coz due reason justification so'),
);

export const ME_WORDS = new Set(['me', 'myself', 'i', 'my', 'mine']);
export const PRONOUNS = new Set(['him', 'her', 'them', 'he', 'she', 'they', 'his', 'their']);
export const EVERYONE_WORDS = new Set(
  words(`
    everyone everybody all anyone anybody someone somebody team channel us we you u people users
    folks whoever
  `),
);

/** Words that are never a person's name. */
export const NOT_NAMES = new Set([
  ...GRANT_VERBS,
  ...REVOKE_VERBS,
  ...NEED_VERBS,
  ...PRE_FILLERS,
  ...POST_FILLERS,
  ...JUSTIFICATION_STARTS,
  ...PRONOUNS,
  ...EVERYONE_WORDS,
  ...[
    'and',
    'or',
    'but',
    'for',
    'with',
    'on',
    'at',
    'by',
    'this',
    'that',
    'these',
    'those',
    'it',
    'its',
    'his',
    'their',
    'our',
    'your',
    'who',
    'what',
    'which',
    'where',
    'when',
    'why',
    'how',
    'is',
    'are',
    'was',
    'were',
    'been',
    'have',
    'has',
    'had',
    'do',
    'does',
    'did',
    'can',
    'could',
    'would',
    'should',
    'will',
    'may',
    'might',
    'must',
    'not',
    'no',
    'yes',
    'ok',
    'okay',
    'hi',
    'hey',
    'hello',
    'today',
    'tomorrow',
    'tonight',
    'yesterday',
    'some',
    'any',
    'every',
    'each',
    'other',
    'another',
    'manager',
    'boss',
    'colleague',
    'teammate',
    'intern',
    'contractor',
    'guy',
    'person',
    'account',
    'accounts',
    'email',
    'admin',
    'there',
    'here',
    'than',
    'then',
    'very',
    'really',
    'quickly',
    'immediately',
    'urgently',
    'urgent',
    'temporary',
    'permanent',
    'permanently',
    'only',
  ],
  // Verbs that follow "to" in a reason ("give me admin to fix billing"), never names.
  ...[
    'fix',
    'help',
    'debug',
    'deploy',
    'check',
    'review',
    'run',
    'see',
    'edit',
    'update',
    'handle',
    'work',
    'test',
  ],
  ...[
    'manage',
    'look',
    'investigate',
    'support',
    'cover',
    'approve',
    'finish',
    'ship',
    'release',
    'rotate',
    'audit',
  ],
  ...[
    'configure',
    'setup',
    'change',
    'create',
    'read',
    'write',
    'view',
    'access',
    'use',
    'try',
    'clean',
    'unblock',
  ],
]);

/**
 * The slot reader's words (slot-reader.ts). A grant cue or a revoke cue says which way a change
 * goes; moves ("demote", "downgrade") are neither, since the reader cannot tell what is kept.
 */
export const GRANT_CUES = new Set([
  ...[...GRANT_VERBS].filter((v) => v !== 'set'),
  ...NEED_VERBS,
  ...['borrow', 'grab', 'hook', 'appreciate', 'requesting'],
]);
export const REVOKE_CUES = new Set([...REVOKE_VERBS].filter((v) => v !== 'demote' && v !== 'downgrade'));
/** Words that may stand in a request beside the role, the people and the time, meaning nothing more. */
export const SLOT_FILLERS = new Set([
  ...['a', 'an', 'the', 'to', 'as', 'into', 'with', 'up', 'from', 'frm', 'out', 'off', 'away'],
  ...[
    'role',
    'roles',
    'access',
    'rights',
    'permission',
    'permissions',
    'perms',
    'privileges',
    'privs',
    'level',
  ],
  ...['please', 'pls', 'plz', 'kindly', 'can', 'could', 'would', 'you', 'u', 'ya', 'mind', 'love', 'like'],
  ...['just', 'quickly', 'asap', 'urgently', 'thanks', 'thank', 'thx', 'ty', 'cheers', 'much', 'appreciated'],
  ...['hi', 'hey', 'hello', 'hiya', 'there', 'ok', 'okay', 'so', 'now', 'someone', 'somebody', 'anyone'],
]);
/** A message starting with one of these asks something; it is not a request. */
export const QUESTION_WORDS = new Set([
  ...['what', 'whats', "what's", 'which', 'who', "who's", 'whom', 'whose', 'why', 'how', 'where', 'when'],
  ...['does', 'do', 'did', 'is', 'are', 'was', 'were', 'has', 'had', 'am', 'should', 'shall', 'will'],
  ...['must', 'might'],
]);
/** Words that open a reason wherever they stand. */
export const REASON_STARTS = new Set([
  'because',
  'since',
  'bc',
  'cause',
  'cuz',
  'coz',
  'cos',
  'due',
  'incident',
  'ticket',
]);
/** Words about time: only with a duration the reader understood ("temp admin for 2h"). */
export const TIME_WORDS = new Set([
  ...['temp', 'temporary', 'temporarily', 'while', 'bit', 'briefly', 'tomorrow', 'tonight', 'today'],
  ...['next', 'week', 'weeks', 'month', 'months', 'year', 'years', 'day', 'days', 'hour', 'hours'],
  ...['weekend', 'later', 'soon', 'starting', 'eod', 'forever', 'permanent', 'permanently', 'until'],
]);

/** What an extension lengthens: "extend my admin grant by an hour". */
export const EXTENSION_NOUNS = new Set([...ROLE_NOUNS, 'grant']);
export const EXTEND_VERBS = new Set(['extend', 'prolong', 'lengthen']);
/**
 * The sender speaking of themself (the LLM path's grounding of a "me" target). Not "my": "give my
 * manager admin" is not about the sender; grounding accepts "my" only before a role word.
 */
export const SENDER_WORDS = new Set(['me', 'myself', 'i', 'mine', "i'm", "i'd", "i'll", "i've"]);

// Guard words (guards.ts): negation, someone else's words, conditions, and modals that ask.
export const NEGATIONS = new Set(
  words(`
    not no never don't dont doesn't doesnt didn't didnt won't wouldn't shouldn't shouldnt can't cant
    cannot mustn't isn't aren't wasn't haven't shan't nor neither nobody none stop avoid refrain
    without instead except undo
  `),
);
export const REPORTED = new Set(
  words(`
    said says say saying told tells asked asks wrote writes mentioned claims claimed according
    suggested suggests wants wanted quote quoted reckons thinks think heard supposedly apparently
    allegedly joked joking kidding jk lol hypothetically
  `),
);
export const CONDITIONALS = new Set(
  words(`
    if unless when whenever once assuming provided providing suppose supposing otherwise after
    before whether maybe perhaps might
  `),
);
export const GUARD_MODALS = new Set(words('can could may might should shall would will must'));

// The slot reader's third round (issue 16): words it may pass over, and words it never may.
export const ME_VERBS = new Set(['gimme', 'lemme']);

export const REFERRING_PRONOUNS = new Set(['their', 'his', 'her', 'them', 'him']);

export const VAGUE_OR_OLD = new Set(['temp', 'temporary', 'current', 'existing', 'old', 'own']);

export const MY_OWN = new Set(['account', 'user', 'login', 'self', 'own']);

export const THANKS = new Set([
  'thanks',
  'thank',
  'thx',
  'ty',
  'tia',
  'cheers',
  'much',
  'many',
  'appreciated',
  'appreciate',
]);

export const REASON_LABELS = new Set([
  'justification',
  'reason',
  'context',
  'why',
  'background',
  'rationale',
]);

export const PAST = new Set([
  'been',
  'was',
  'were',
  'had',
  'ago',
  'last',
  'left',
  'went',
  'came',
  'got',
  'began',
  'yesterday',
]);

export const CLAUSE_SUBJECTS = new Set([
  'she',
  'he',
  'they',
  'we',
  'i',
  'it',
  "she's",
  "he's",
  "they're",
  "we're",
  "i'm",
  "it's",
  'there',
  "there's",
]);

/** Words that may change who, what or how long, or say the request is not meant: never passed over. */
export const MEANING = new Set([
  ...['everyone', 'everybody', 'all', 'team', 'group', 'channel', 'users', 'people', 'others', 'other'],
  ...['members', 'whole', 'entire', 'both', 'each', 'every', 'anyone', 'nobody', 'some'],
  ...['him', 'her', 'them', 'his', 'their', 'he', 'she', 'they', 'it', 'that', 'this', 'these', 'those'],
  ...['was', 'were', 'been', 'had', 'did', 'used', 'once', 'ago', 'last', 'yesterday', 'previously'],
  ...['instead', 'except', 'but', 'only', 'also', 'too', 'another', 'more', 'extra', 'less', 'than'],
  ...['same', 'again', 'back', 'still', 'already', 'like', 'similar', 'or', 'and'],
  ...['should', 'shall', 'might', 'must', 'will', 'wont', 'guess', 'wonder', 'probably', 'possibly'],
  ...['test', 'testing', 'pretend', 'imagine', 'fake', 'dummy', 'example', 'sample', 'demo'],
  ...['super', 'sub', 'full', 'partial', 'limited', 'read', 'write', 'global', 'org', 'junior', 'senior'],
  ...['extend', 'extension', 'renew', 'prolong', 'keep', 'stay', 'remain', 'move', 'swap', 'switch'],
  ...['change', 'replace', 'transfer', 'copy', 'clone', 'mirror', 'match', 'downgrade', 'demote'],
  // What a removal may be about other than the role itself: "remove the expiry on my admin".
  ...['expiry', 'expiration', 'limit', 'timer', 'timeout', 'restriction', 'restrictions', 'approval'],
  ...['reminder', 'date', 'end', 'deadline', 'schedule', 'notification', 'alert', 'request', 'cap'],
  // Schedules, not one length: "2h daily", "1 hour at a time", "2 hours per session".
  ...['twice', 'thrice', 'daily', 'weekly', 'nightly', 'hourly', 'session', 'pop', 'per', 'every', 'time'],
  ...['minimum', 'least', 'backup', 'fallback', 'standby'],
]);

export const NEEDS = new Set(['need', 'needs', 'require', 'requires']);

// Questions read by cue words (question-cues.ts, issue 16 third round).
/** Words that make a "who" question about one role. */
export const WHO_CUES = new Set([
  'who',
  'whom',
  "who's",
  'whos',
  'anyone',
  'anybody',
  'everyone',
  'everybody',
]);

export const LIST_CUES = new Set(['list', 'show', 'holders', 'holding', 'members']);

export const PEOPLE_NOUNS = new Set([
  'users',
  'people',
  'accounts',
  'folks',
  'persons',
  'members',
  'ones',
  'employees',
]);

/** Role nouns, and what people call their access in a question ("what am I assigned?"). */
export const ACCESS_NOUNS = new Set([...ROLE_NOUNS, 'groups', 'assigned', 'assignments', 'entitlements']);

export const ACCESS_ASKS = new Set([
  'what',
  'whats',
  "what's",
  'which',
  'check',
  'show',
  'list',
  'tell',
  'see',
  'lookup',
]);

export const CANCEL_CUES = new Set(['cancel', 'abort', 'nevermind', 'nvm', 'withdraw', 'retract']);

export const CANCEL_WORDS = new Set([
  ...CANCEL_CUES,
  ...['never', 'mind', 'scratch', 'forget', 'that', 'it', 'this', 'my', 'the', 'last', 'request', 'ask'],
  ...['pending', 'previous', 'one', 'please', 'pls', 'ok', 'okay', 'actually', 'sorry', 'just', 'oh'],
  ...[
    'ugh',
    'hmm',
    'wait',
    'no',
    'thanks',
    'thx',
    'ignore',
    'above',
    'all',
    'everything',
    'i',
    'want',
    'to',
    'can',
    'you',
  ],
]);

export const GET_ROLES_WORDS = new Set([
  ...SLOT_FILLERS,
  ...['my', 'i', "i'm", 'me', 'is', 'are', 'am', 'does', 'do', 'has', 'have', 'got', "'s", 'currently'],
  ...['right', 'at', 'moment', 'in', 'here', 'this', 'on', 'of', 'for', 'account', 'workspace', 'tenant'],
  ...['quick', 'q', 'question', 'idea', 'any', 'know', 'what', 'exactly', 'all', 'current', 'level'],
]);
