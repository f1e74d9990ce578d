package org.hybridft.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Creates a command's {@code --out} directory before any work starts, so a bad path costs the user
 * nothing, and says why it cannot in words rather than as an exception's class name.
 */
final class OutputDirectory {
  private OutputDirectory() {}

  /**
   * Creates {@code dir} and its parents if missing, and checks that a file can be written in it
   * (an existing folder such as /proc may refuse every file), before any work is done.
   *
   * @throws UsageException naming the directory and the reason
   */
  static Path create(Path dir) {
    Path created;
    try {
      created = Files.createDirectories(dir);
    } catch (IOException cannot) {
      throw new UsageException("cannot create the output directory " + dir + ": " + reason(cannot), cannot);
    }
    try {
      Files.delete(Files.createTempFile(created, ".hybrid-ft-write-check", ".tmp"));
    } catch (IOException cannot) {
      throw new UsageException("cannot write in the output directory " + dir + ": " + reason(cannot), cannot);
    }
    return created;
  }

  /** An I/O failure in words: the file system's reason without the exception's class name. */
  static String reason(IOException failure) {
    if (failure instanceof FileAlreadyExistsException) {
      return "a file of that name exists";
    }
    if (failure instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (failure instanceof NoSuchFileException) {
      return "the file system does not allow it there (no such file or directory)";
    }
    if (failure instanceof FileSystemException fileSystem && fileSystem.getReason() != null) {
      return fileSystem.getReason();
    }
    return failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
  }
}
