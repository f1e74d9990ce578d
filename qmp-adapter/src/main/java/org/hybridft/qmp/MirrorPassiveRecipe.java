package org.hybridft.qmp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hybridft.core.Mode;

/**
 * A true passive (Remus-like) checkpoint mode on upstream QEMU, for a COLO primary with a {@code
 * filter-mirror} and a {@code colo-compare}: the default recipe where the primary has both.
 *
 * <ul>
 *   <li>{@link Mode#CHECKPOINT}: every filter-mirror's {@code status} off, {@code
 *       x-checkpoint-delay} = the controller's period. The secondary gets no input and sends
 *       nothing, so colo-compare has nothing to compare with and holds every primary packet until
 *       the next checkpoint flushes its queues: one checkpoint per period whatever the guest
 *       sends. colo-compare's {@code compare_timeout} is raised, where needed, to at least twice
 *       the period plus its {@code expired_scan_cycle}, so a held packet is never judged stale
 *       (which would force an extra checkpoint).
 *   <li>{@link Mode#COLO}: mirrors on, {@code x-checkpoint-delay} = the COLO idle period, and
 *       {@code compare_timeout} back to the value read when the recipe was detected.
 * </ul>
 *
 * <p>What the guest sees: in checkpoint mode each output waits for the next checkpoint, so a TCP
 * request/response, which needs two guest outputs (SYN-ACK, then the reply), takes about 1.6
 * periods. Every checkpoint re-synchronises the idle secondary, so the return to COLO costs one
 * checkpoint (the change of {@code x-checkpoint-delay} triggers it) and is then exact.
 *
 * <p>Every property set is read back with {@code qom-get} and {@code x-checkpoint-delay} with
 * {@code query-migrate-parameters}; see {@link #expectedProperties(Mode, long)}.
 *
 * @param mirrors the primary's filter-mirror objects, such as {@code /objects/m0}
 * @param compare the primary's colo-compare object
 * @param coloIdlePeriod the checkpoint timer period in COLO mode
 * @param compareTimeoutMillis colo-compare's {@code compare_timeout} as found, restored in COLO
 * @param expiredScanCycleMillis colo-compare's {@code expired_scan_cycle}
 */
public record MirrorPassiveRecipe(
    List<String> mirrors,
    String compare,
    Duration coloIdlePeriod,
    long compareTimeoutMillis,
    long expiredScanCycleMillis) implements ModeRecipe {
  /** The recipe's name on the command line and in logs. */
  public static final String NAME = "mirror-passive";
  /** colo-compare's {@code compare_timeout} and {@code expired_scan_cycle} are uint32 ms. */
  private static final long MAX_UINT32 = 0xFFFF_FFFFL;

  /** Validates every part. */
  public MirrorPassiveRecipe {
    if (mirrors == null || mirrors.isEmpty()) {
      throw new IllegalArgumentException("mirrors must name at least one filter-mirror object, was " + mirrors);
    }
    mirrors = List.copyOf(mirrors);
    for (String mirror : mirrors) {
      new QomProperty(mirror, "status");
    }
    new QomProperty(compare, "compare_timeout");
    // Same bounds and message as the checkpoint-delay recipe.
    new CheckpointDelayRecipe(coloIdlePeriod);
    if (compareTimeoutMillis < 1 || compareTimeoutMillis > MAX_UINT32) {
      throw new IllegalArgumentException(
          "compareTimeoutMillis must be between 1 and " + MAX_UINT32 + ", was " + compareTimeoutMillis);
    }
    if (expiredScanCycleMillis < 1 || expiredScanCycleMillis > MAX_UINT32) {
      throw new IllegalArgumentException(
          "expiredScanCycleMillis must be between 1 and " + MAX_UINT32 + ", was " + expiredScanCycleMillis);
    }
  }

  /**
   * Finds the primary's filter-mirrors and colo-compare with {@code qom-list /objects} and reads
   * colo-compare's timeouts; empty where the primary has no filter-mirror or no colo-compare.
   *
   * @throws QmpException when QEMU refuses a query or does not answer in time
   */
  public static Optional<MirrorPassiveRecipe> detect(QmpClient primary, Duration coloIdlePeriod) {
    List<String> mirrors = new ArrayList<>();
    String compare = null;
    for (QmpValue object : primary.call("qom-list", Map.of("path", "/objects"))) {
      String type = object.path("type").asText();
      String path = "/objects/" + object.path("name").asText();
      if (type.equals("child<filter-mirror>")) {
        mirrors.add(path);
      } else if (type.equals("child<colo-compare>") && compare == null) {
        compare = path;
      }
    }
    if (mirrors.isEmpty() || compare == null) {
      return Optional.empty();
    }
    long timeout = primary.call("qom-get", Map.of("path", compare, "property", "compare_timeout")).asLong();
    long scan = primary.call("qom-get", Map.of("path", compare, "property", "expired_scan_cycle")).asLong();
    return Optional.of(new MirrorPassiveRecipe(mirrors, compare, coloIdlePeriod, timeout, scan));
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<QmpCommand> commands(Mode mode, long periodMillis) {
    List<QmpCommand> commands = new ArrayList<>();
    for (Map.Entry<QomProperty, QmpValue> property : expectedProperties(mode, periodMillis).entrySet()) {
      Map<String, Object> arguments = new LinkedHashMap<>();
      arguments.put("path", property.getKey().path());
      arguments.put("property", property.getKey().name());
      arguments.put("value", property.getValue());
      commands.add(new QmpCommand("qom-set", QmpValue.from(arguments)));
    }
    commands.addAll(delayRecipe().commands(mode, periodMillis));
    return List.copyOf(commands);
  }

  @Override
  public Map<String, QmpValue> expectedMigrateParameters(Mode mode, long periodMillis) {
    return delayRecipe().expectedMigrateParameters(mode, periodMillis);
  }

  /**
   * The properties set for {@code mode}, in the order they are set: colo-compare's timeout first
   * (so no held packet is stale when the mirrors go off), then the mirrors.
   */
  @Override
  public Map<QomProperty, QmpValue> expectedProperties(Mode mode, long periodMillis) {
    Map<QomProperty, QmpValue> properties = new LinkedHashMap<>();
    long timeout = mode == Mode.CHECKPOINT
        ? Math.max(compareTimeoutMillis, Math.min(MAX_UINT32, 2 * periodMillis + expiredScanCycleMillis))
        : compareTimeoutMillis;
    properties.put(new QomProperty(compare, "compare_timeout"), QmpValue.of(timeout));
    for (String mirror : mirrors) {
      properties.put(new QomProperty(mirror, "status"), QmpValue.of(mode == Mode.COLO ? "on" : "off"));
    }
    return properties;
  }

  private CheckpointDelayRecipe delayRecipe() {
    return new CheckpointDelayRecipe(coloIdlePeriod);
  }
}
