/**
 * Implementation details shared by flowstore's modules. May change at any time, without notice: do
 * not use from applications.
 */
package dev.flowstore.internal;
