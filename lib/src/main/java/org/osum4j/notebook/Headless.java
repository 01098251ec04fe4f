package org.osum4j.notebook;

/**
 * Makes AWT run without a display before any chart touches it: kernels and CI machines have no X
 * server. An explicit {@code -Djava.awt.headless=false} from the user is respected.
 */
final class Headless {

    private Headless() {}

    static void ensure() {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }
}
