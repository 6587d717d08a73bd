package dev.flowstore;

/**
 * The work a {@link Worker} does for one leased job. Returning normally acks the job; throwing
 * nacks it with the exception as the attempt's error (retried with backoff, dead-lettered after the
 * last attempt). Must tolerate being run more than once for the same job (at-least-once delivery):
 * de-duplicate side effects on {@link JobMessage#eventId()} or {@link JobMessage#messageId()}.
 */
@FunctionalInterface
public interface JobHandler {
  void handle(Lease lease) throws Exception;
}
