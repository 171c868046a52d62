import { afterAll, beforeAll } from 'vitest';
import { startTestMongo, type TestMongo } from './mongo-server.ts';

/**
 * One jongodb for the tests of a file (or describe block), started before them and stopped after
 * them. The answer gives the running server to whoever needs it (a world's `mongo` argument).
 */
export function useTestMongo(): () => TestMongo {
  let mongo: TestMongo | undefined;
  beforeAll(async () => {
    mongo = await startTestMongo();
  });
  afterAll(async () => {
    await mongo?.stop();
  });
  return () => {
    if (!mongo) throw new Error('jongodb is not running (beforeAll has not run)');
    return mongo;
  };
}
