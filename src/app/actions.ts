/** The ids of Rolecall's buttons, shared by the wording that draws them and the listeners that route them. */
export const ACTIONS = {
  confirm: 'rc_confirm',
  cancel: 'rc_cancel',
  choose: 'rc_choose',
  approve: 'rc_approve',
  deny: 'rc_deny',
  retry: 'rc_retry',
} as const;
