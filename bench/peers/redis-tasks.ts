// The task the Redis work-queue bench submits (the bench's RedisWorker allows this module).
import { portable } from 'weft';

export const noop = portable(import.meta.url, () => undefined);
