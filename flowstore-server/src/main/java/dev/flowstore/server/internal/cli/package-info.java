/**
 * The {@code flowstore} subcommands and their shared plumbing (configuration, exit codes,
 * progress).
 */
package dev.flowstore.server.internal.cli;
