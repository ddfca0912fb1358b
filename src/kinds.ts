/**
 * Every kind of weft primitive that can cross into another thread or process, and the
 * transports that carry them, registered with the codec. Imported by the package's entry
 * and by every worker and child entry, so both sides of a crossing know the same kinds.
 * A new kind is one `*-remote.ts` file beside its primitive, and one line here.
 * @module
 */
import './remote/transports.js';
import './actor/actor-remote.js';
import './exchange/exchange-remote.js';
import './manager/manager-remote.js';
import './pipe/pipe-remote.js';
import './queue/queue-remote.js';
import './sync/sync-remote.js';
import './shared/shared-kinds.js';
