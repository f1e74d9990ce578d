/**
 * hybrid-ft for libvirt-managed domains: {@link org.hybridft.libvirt.LibvirtHost} opens a libvirt
 * connection, lists its running domains (by name pattern or metadata element) and gives each
 * domain's monitor as a {@link org.hybridft.qmp.QmpTransport}, so that a {@link
 * org.hybridft.qmp.QmpClient} drives it through libvirt without a second monitor socket.
 */
module org.hybridft.libvirt {
  requires static transitive org.jspecify;
  requires transitive org.hybridft.qmp;
  // libvirt-java has no module name of its own: its automatic module is named from its jar.
  requires libvirt;
  requires com.sun.jna;

  exports org.hybridft.libvirt;
}
