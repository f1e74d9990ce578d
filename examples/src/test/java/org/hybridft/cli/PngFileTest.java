package org.hybridft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PngFileTest {
  @Test
  void imageIoReadsBackEveryPixel(@TempDir Path dir) throws IOException {
    BufferedImage image = new BufferedImage(37, 23, BufferedImage.TYPE_INT_RGB);
    SplittableRandom random = new SplittableRandom(5);
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        image.setRGB(x, y, random.nextInt(1 << 24));
      }
    }
    Path file = dir.resolve("x.png");

    PngFile.write(image, file);
    BufferedImage read = ImageIO.read(file.toFile());

    assertThat(read.getWidth()).isEqualTo(37);
    assertThat(read.getHeight()).isEqualTo(23);
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        assertThat(read.getRGB(x, y) & 0xffffff).isEqualTo(image.getRGB(x, y) & 0xffffff);
      }
    }
  }
}
