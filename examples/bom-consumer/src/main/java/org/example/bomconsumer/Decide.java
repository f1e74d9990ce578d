package org.example.bomconsumer;

import org.hybridft.controllers.ThresholdConfig;
import org.hybridft.controllers.ThresholdController;
import org.hybridft.core.Mode;
import org.hybridft.core.ModeController;

/** Compiles against hybridft-core and hybridft-controllers as a user's project would. */
public final class Decide {
  private Decide() {}

  /** Feeds a controller one busy second and prints the mode it wants next. */
  public static void main(String[] args) {
    ModeController controller = new ThresholdController(ThresholdConfig.defaults());
    Mode next = controller.update(1_000_000_000L, 250.0);
    System.out.println("after 250 checkpoints per second: " + next);
  }
}
