// osum4j's default JShell prelude: the notebook kernel, `./osum jshell` and `./osum jshell SCRIPT` all start with
// these lines (one snippet per line), so the first cell or script line can use the library directly.
import java.util.*;
import java.util.stream.*;
import java.nio.file.*;
import java.io.*;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.ndarray.INDArray;
import tech.tablesaw.api.*;
import org.osum4j.notebook.*;
import org.osum4j.audio.*;
import org.osum4j.text.*;
import org.osum4j.data.*;
import org.osum4j.eval.*;
void display(Object value) { org.osum4j.notebook.Display.show(value); }
