import java.util.*;
import java.util.stream.*;
import java.nio.file.*;
import java.io.*;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.ndarray.INDArray;
import tech.tablesaw.api.*;
import org.osum4j.notebook.*;
void display(Object o) { org.osum4j.notebook.Display.show(o); }
