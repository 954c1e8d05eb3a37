/**
 * Stage 2a, sessions. <b>In:</b> enriched events keyed by (app, session id). <b>Out:</b> {@link
 * io.beaconflow.jobs.sessions.SessionRecord}s (early updates and the final record), for the {@code
 * rum-sessions-*} index; events it fails on go to the dead letters. Settings: {@code sessions:}.
 */
package io.beaconflow.jobs.sessions;
