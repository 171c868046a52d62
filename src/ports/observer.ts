/**
 * AppObserver: what the use cases report for metrics. Contract: every hook is optional and
 * fire-and-forget: it returns nothing, must not throw and must not block, and the use case behaves
 * the same whether or not one is attached. Labels are from small closed sets (states, reasons,
 * `what`), never ids, so metric cardinality stays bounded.
 */
export interface AppObserver {
  /** A request reached applied, failed, denied, rejected, expired or cancelled (from lifecycle.ts). */
  requestOutcome?(outcome: string): void;
  policyDenied?(reason: string): void;
  /** From the request's creation to allowed, denied, approved or rejected (from lifecycle.ts). */
  decisionLatency?(ms: number): void;
  /** From the decision (the save that made it approved) to the directory change landing. */
  applyLatency?(ms: number): void;
  /** A message to people could not be delivered (`what`: approval request, outcome…; Slack's reason). */
  deliveryFailed?(what: string, reason: string): void;
}
