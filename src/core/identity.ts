import { z } from 'zod';

/**
 * A person as Rolecall knows them at one moment: the Slack side (verified sender or resolved
 * mention) joined to the directory side (SCIM user). Audit records keep both.
 */
export const Identity = z.object({
  slackUserId: z.string().optional(),
  slackTeamId: z.string().optional(),
  email: z.string().optional(),
  scimId: z.string().optional(),
  displayName: z.string().optional(),
});
export type Identity = z.infer<typeof Identity>;
