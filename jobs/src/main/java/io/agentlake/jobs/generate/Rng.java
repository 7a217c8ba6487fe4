package io.agentlake.jobs.generate;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Deterministic randomness. Every stream is a {@link SplittableRandom} keyed by the seed and a
 * fixed list of coordinates (day, account, ...), so generating one file never depends on the order
 * or number of draws made for another file.
 */
final class Rng {
  private static final String ALNUM_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  private static final String ALNUM_LOWER = "abcdefghijklmnopqrstuvwxyz0123456789";
  private static final String ALNUM =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  private final SplittableRandom random;

  private Rng(SplittableRandom random) {
    this.random = random;
  }

  /** A stream for one purpose, e.g. {@code Rng.of(seed, "cloudtrail", day, account, slot)}. */
  static Rng of(long seed, Object... key) {
    long h = seed ^ 0x9E3779B97F4A7C15L;
    for (Object part : key) {
      String s = String.valueOf(part);
      for (int i = 0; i < s.length(); i++) {
        h = mix(h + s.charAt(i));
      }
      h = mix(h ^ 0x5851F42D4C957F2DL);
    }
    return new Rng(new SplittableRandom(h));
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  int nextInt(int bound) {
    return random.nextInt(bound);
  }

  /** Uniform in [from, to], both inclusive. */
  int between(int from, int to) {
    return random.nextInt(from, to + 1);
  }

  long nextLong() {
    return random.nextLong();
  }

  boolean chance(double p) {
    return random.nextDouble() < p;
  }

  <T> T pick(List<T> items) {
    return items.get(random.nextInt(items.size()));
  }

  String upper(int n) {
    return chars(ALNUM_UPPER, n);
  }

  String lower(int n) {
    return chars(ALNUM_LOWER, n);
  }

  String alnum(int n) {
    return chars(ALNUM, n);
  }

  String digits(int n) {
    StringBuilder sb = new StringBuilder(n);
    sb.append((char) ('1' + random.nextInt(9)));
    for (int i = 1; i < n; i++) {
      sb.append((char) ('0' + random.nextInt(10)));
    }
    return sb.toString();
  }

  String hex(int n) {
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      sb.append(Character.forDigit(random.nextInt(16), 16));
    }
    return sb.toString();
  }

  /** A random (version 4) UUID string. */
  String uuid() {
    long hi = (random.nextLong() & 0xFFFFFFFFFFFF0FFFL) | 0x0000000000004000L;
    long lo = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new java.util.UUID(hi, lo).toString();
  }

  /** A public-looking IPv4 address. */
  String ip() {
    return between(3, 223) + "." + nextInt(256) + "." + nextInt(256) + "." + between(1, 254);
  }

  private String chars(String alphabet, int n) {
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return sb.toString();
  }
}
