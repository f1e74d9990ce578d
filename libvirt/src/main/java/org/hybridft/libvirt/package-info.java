/**
 * libvirt-managed domains for hybrid-ft: {@link org.hybridft.libvirt.LibvirtHost}, its {@link
 * org.hybridft.libvirt.LibvirtDomain}s and their monitors as QMP transports.
 */
@NullMarked
package org.hybridft.libvirt;

import org.jspecify.annotations.NullMarked;
