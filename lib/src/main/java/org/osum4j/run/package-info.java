/**
 * Records of a run (which model, which decoding options, which code, which machine settings), written beside
 * results and checkpoints so a number can be traced back to what produced it. Imports nothing of osum4j, so
 * every other package may use it; {@code org.osum4j.cli} fills in the runtime settings.
 */
package org.osum4j.run;
