/** Time and identifiers are injected so tests never wait and records are reproducible. */
export interface Clock {
  now(): Date;
}

/** Produces unique, URL-safe ids (request ids, reference ids shown to users). */
export interface IdGenerator {
  next(): string;
}

export const systemClock: Clock = { now: () => new Date() };
