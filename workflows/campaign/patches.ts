/**
 * The patches of `campaignV2` (`patched(id)`): each changes what a running campaign does from
 * the point a new build meets it, while histories recorded before it replay as they were.
 */

/**
 * An instant win answers while entries keep arriving: collection decides one batch and sends a
 * slice of results before deciding the next (#14's instant-win latency benchmark found sending
 * starved until a stream of entries ended).
 */
export const SENDS_AMID_ARRIVALS_PATCH = 'sends-amid-arrivals';
