package org.hybridft.agent;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Finds QMP sockets by glob ({@code discovery.sockets}): each glob is an absolute path whose
 * segments may hold {@code *}, {@code ?}, {@code [...]} and {@code {a,b}} ({@link
 * java.nio.file.FileSystem#getPathMatcher glob syntax}); {@code **} crosses directories, at most
 * {@value #MAX_DEPTH} levels below the glob's fixed part. Only unix sockets match; directories
 * that cannot be read are skipped. A scan reads directories only, never connects.
 */
final class SocketDiscovery {
  static final int MAX_DEPTH = 8;

  private final List<Glob> globs;

  private record Glob(Path base, PathMatcher matcher, int depth) {}

  SocketDiscovery(List<String> globs) {
    List<Glob> parsed = new ArrayList<>();
    // None when only libvirt domains are supervised.
    for (String glob : globs.isEmpty() ? List.<String>of() : checkGlobs(String.join(",", globs))) {
      parsed.add(parse(glob));
    }
    this.globs = List.copyOf(parsed);
  }

  /**
   * The globs of a {@code discovery.sockets} value: comma-separated absolute paths.
   *
   * @throws IllegalArgumentException for an empty list, a relative path or an invalid glob
   */
  static List<String> checkGlobs(String value) {
    List<String> globs = new ArrayList<>();
    // A comma inside {a,b} belongs to the glob.
    int depth = 0;
    StringBuilder current = new StringBuilder();
    for (char c : value.toCharArray()) {
      if (c == '{') {
        depth++;
      } else if (c == '}') {
        depth = Math.max(0, depth - 1);
      }
      if (c == ',' && depth == 0) {
        globs.add(current.toString().strip());
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    globs.add(current.toString().strip());
    globs.removeIf(String::isEmpty);
    if (globs.isEmpty()) {
      throw new IllegalArgumentException("give at least one absolute glob, e.g. /run/hybrid-ft/vms/*.qmp");
    }
    for (String glob : globs) {
      if (!glob.startsWith("/")) {
        throw new IllegalArgumentException("'" + glob + "' is not absolute; globs start with /");
      }
      parse(glob);
    }
    return List.copyOf(globs);
  }

  private static Glob parse(String glob) {
    String[] segments = glob.substring(1).split("/");
    Path base = Path.of("/");
    int fixed = 0;
    while (fixed < segments.length - 1 && !hasWildcard(segments[fixed])) {
      base = base.resolve(segments[fixed]);
      fixed++;
    }
    boolean deep = glob.contains("**");
    int depth = deep ? MAX_DEPTH : segments.length - fixed;
    PathMatcher matcher;
    try {
      matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
    } catch (RuntimeException invalid) {
      throw new IllegalArgumentException("'" + glob + "' is not a valid glob (" + invalid.getMessage() + ")");
    }
    return new Glob(base, matcher, depth);
  }

  private static boolean hasWildcard(String segment) {
    return segment.matches(".*[*?\\[{].*");
  }

  /** The sockets that match now, sorted. */
  SortedSet<Path> scan() {
    SortedSet<Path> found = new TreeSet<>();
    for (Glob glob : globs) {
      if (Files.isDirectory(glob.base())) {
        scan(glob, found);
      }
    }
    return found;
  }

  /** Walks the glob's fixed part, skipping what cannot be read: the rest still counts. */
  private static void scan(Glob glob, SortedSet<Path> found) {
    try {
      Files.walkFileTree(glob.base(), EnumSet.noneOf(FileVisitOption.class), glob.depth(),
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
              if (attributes.isOther() && glob.matcher().matches(file)) {
                found.add(file);
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException failed) {
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException unreadable) {
      // Nothing more can be read under this glob.
    }
  }

  /** Whether {@code path} is still a unix socket. */
  static boolean isSocket(Path path) {
    try {
      return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther();
    } catch (IOException gone) {
      return false;
    }
  }
}
