package org.hybridft.qmp;

/**
 * The QEMU is not a COLO primary, so there is nothing to count or steer: thrown by {@link
 * ColoPrimaryCheck#requirePrimary(QmpClient)} with what QEMU reported and what to do about it.
 * The connection stays usable.
 */
public final class QmpNotColoPrimaryException extends QmpException {
  private static final long serialVersionUID = 1L;

  private final String coloMode;
  private final String advice;

  /**
   * @param address the QMP address of the QEMU
   * @param coloMode the {@code mode} of {@code query-colo-status}, for instance {@code none}
   * @param advice one line on why and what to do, for instance naming a known QEMU regression
   */
  public QmpNotColoPrimaryException(String address, String coloMode, String advice) {
    super("QEMU at " + address + " is not a COLO primary (query-colo-status mode: " + coloMode + "); "
        + advice, null);
    this.coloMode = coloMode;
    this.advice = advice;
  }

  /** The {@code mode} of {@code query-colo-status}: {@code none}, {@code secondary}, or another. */
  public String coloMode() {
    return coloMode;
  }

  /** One line on why the QEMU is no primary and what to do, without the address. */
  public String advice() {
    return advice;
  }
}
