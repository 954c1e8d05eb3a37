package io.beaconflow.collector.translate;

/**
 * What the collector itself knows about one request: the only fields of a record that the job may
 * trust (docs/rum-events.md, "Trust boundary"). Every record the collector writes carries these in
 * its envelope, and a client-supplied value of the same field is removed.
 *
 * @param receivedAt collector clock, epoch ms, when the request body was complete
 * @param clientIp from the socket, or from X-Forwarded-For behind a trusted proxy; may be null
 * @param userAgent the request's User-Agent header; may be null
 * @param country ISO 3166-1 alpha-2 from geo-IP; null when unknown or not configured
 * @param referer the request's Referer header: the page that sent the beacon; may be null
 */
public record EdgeContext(
        long receivedAt, String clientIp, String userAgent, String country, String referer) {}
