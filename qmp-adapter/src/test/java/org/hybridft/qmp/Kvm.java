package org.hybridft.qmp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Whether KVM can be used, found without creating anything: {@code /dev/kvm} must be a character
 * device that opens for reading and writing. Opening a missing path with "rw" (or bash's
 * {@code <>}) would create it as an empty regular file that every later probe then accepts.
 */
final class Kvm {
  static final Path DEVICE = Path.of("/dev/kvm");
  private static final int FILE_TYPE_MASK = 0170000;
  private static final int CHARACTER_DEVICE = 0020000;

  private Kvm() {}

  /** {@code null} where KVM is usable, otherwise why not. */
  static String unusableReason() {
    return unusableReason(DEVICE);
  }

  /** {@code null} where {@code device} is a character device that opens read-write, else why not. */
  static String unusableReason(Path device) {
    if (!Files.exists(device, LinkOption.NOFOLLOW_LINKS) && !Files.exists(device)) {
      return device + " does not exist";
    }
    int mode;
    try {
      mode = (Integer) Files.getAttribute(device, "unix:mode");
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return device + " cannot be inspected (" + e.getMessage() + ")";
    }
    if ((mode & FILE_TYPE_MASK) != CHARACTER_DEVICE) {
      return device + " is not a character device";
    }
    // READ and WRITE without CREATE: never makes a file.
    try (var channel = Files.newByteChannel(device, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      return null;
    } catch (IOException | SecurityException e) {
      return device + " cannot be opened read-write (" + e.getMessage() + ")";
    }
  }
}
