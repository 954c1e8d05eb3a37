package io.beaconflow.jobs.io.webhook;

import java.io.IOException;

/**
 * A notification the webhook did not take within the retry budget, or refused for good. Thrown from
 * the committer, it fails the job: the notification's committable stays in the checkpointed state,
 * so the restarted job sends it again (nothing is lost), and the message names the receiver's host,
 * the notification and the fix. Never contains the URL or header values (they hold secrets).
 */
public class WebhookDeliveryException extends IOException {
    private static final long serialVersionUID = 1L;

    public WebhookDeliveryException(String message) {
        super(message);
    }

    public WebhookDeliveryException(String message, Throwable cause) {
        super(message, cause);
    }
}
