package dev.flowstore;

import java.util.List;

/**
 * A job with its history: what {@link Queue#get} and {@link DeadLetters#inspect} return.
 *
 * @param job the job now
 * @param attempts every delivery, oldest first, each with its outcome and error
 * @param deadLetter its DLQ item while it is in the DLQ, else null
 */
public record JobDetail(Job job, List<JobAttempt> attempts, DlqItem deadLetter) {}
