package dev.flowstore;

/**
 * Work done inside a {@link Transaction}; its result is returned once the transaction has
 * committed.
 */
@FunctionalInterface
public interface TransactionWork<T> {
  T run(Transaction tx) throws Exception;
}
