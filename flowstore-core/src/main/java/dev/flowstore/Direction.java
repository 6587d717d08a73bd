package dev.flowstore;

/** Which way to read a stream. */
public enum Direction {
  FORWARD,
  BACKWARD
}
