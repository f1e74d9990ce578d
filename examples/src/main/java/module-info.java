/** Examples of embedding hybrid-ft: the README's {@link org.hybridft.examples.Embedding}. */
module org.hybridft.examples {
  requires org.hybridft.core;
  requires org.hybridft.controllers;
  requires static org.jspecify;

  exports org.hybridft.examples;
}
