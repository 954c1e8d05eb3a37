/**
 * The graph assembly: {@link io.beaconflow.jobs.pipeline.BeaconflowPipeline} connects the stages
 * (ingest → sessions, metrics, error groups → {@link io.beaconflow.jobs.pipeline.DetectionChain}:
 * scoring → patterns → alerts) from an injected source and attaches injected sinks; the {@code
 * *Documents} classes shape dead letters and late events for Elasticsearch. The only package that
 * knows every stage.
 */
package io.beaconflow.jobs.pipeline;
