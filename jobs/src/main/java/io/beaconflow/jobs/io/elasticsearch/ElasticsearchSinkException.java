package io.beaconflow.jobs.io.elasticsearch;

import java.io.IOException;

/** The sink cannot go on: the message says why and what to do. Fails the task. */
public class ElasticsearchSinkException extends IOException {
    private static final long serialVersionUID = 1L;

    public ElasticsearchSinkException(String message) {
        super(message);
    }

    public ElasticsearchSinkException(String message, Throwable cause) {
        super(message, cause);
    }
}
