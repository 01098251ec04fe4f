package org.osum4j.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import org.dflib.jjava.jupyter.kernel.history.HistoryEntry;
import org.dflib.jjava.jupyter.kernel.history.HistoryManager;

/**
 * The inputs of this kernel session, for Jupyter's {@code history_request} (consoles use it for
 * the up-arrow). In memory only; outputs are not kept. Session number 0 means "this session".
 */
final class CellHistory implements HistoryManager {

    private static final int THIS_SESSION = 0;

    private final List<HistoryEntry> entries = new ArrayList<>();

    synchronized void add(int executionCount, String code) {
        entries.add(new HistoryEntry(THIS_SESSION, executionCount, code, null));
    }

    @Override
    public synchronized List<HistoryEntry> lookupRange(int session, int start, int stop, Set<ResultFlag> flags) {
        return entries.stream()
                .filter(e -> e.getCellNumber() >= start && (stop <= 0 || e.getCellNumber() < stop))
                .toList();
    }

    @Override
    public synchronized List<HistoryEntry> lookupTail(int length, Set<ResultFlag> flags) {
        return List.copyOf(entries.subList(Math.max(0, entries.size() - length), entries.size()));
    }

    /** {@code pattern} is a glob ({@code *}, {@code ?}) over the whole input, as in IPython. */
    @Override
    public synchronized List<HistoryEntry> search(String pattern, int length, Set<ResultFlag> flags) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
        }
        Pattern glob = Pattern.compile(regex.toString(), Pattern.DOTALL);
        List<HistoryEntry> found = new ArrayList<>();
        for (HistoryEntry entry : entries) {
            if (glob.matcher(entry.getInput()).matches()) {
                found.add(entry);
            }
        }
        return length > 0 ? found.subList(Math.max(0, found.size() - length), found.size()) : found;
    }
}
