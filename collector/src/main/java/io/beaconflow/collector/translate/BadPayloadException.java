package io.beaconflow.collector.translate;

/** A request body that cannot be translated at all; answered 400 with this message. */
public class BadPayloadException extends Exception {
    private static final long serialVersionUID = 1L;

    public BadPayloadException(String message) {
        super(message);
    }
}
