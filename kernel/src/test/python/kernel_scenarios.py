"""Drives a running osum4j kernel with a real Jupyter client and prints what happened as JSON.

Usage: /usr/bin/python3 kernel_scenarios.py CONNECTION_FILE [KERNEL_PID]
(with KERNEL_PID, one more scenario interrupts a busy loop with SIGINT)
The JUnit test (OsumKernelProtocolTest) starts the kernel on CONNECTION_FILE, runs this script and
asserts on the JSON. Each scenario records replies and outputs; the script itself asserts nothing,
so a failure shows up as a readable JUnit message rather than a Python traceback.
"""
import json
import os
import signal
import socket
import sys
import time

try:
    from jupyter_client import BlockingKernelClient
except ImportError:  # reported by the JUnit test with a clear message
    print(json.dumps({"fatal": "jupyter_client is not installed for " + sys.executable}))
    sys.exit(3)

TIMEOUT_S = 120  # a first ND4J call loads native libraries; generous on a busy machine


def collect(kc, msg_id, until_idle=True):
    """IOPub messages that belong to msg_id, up to its idle status."""
    outputs = []
    while True:
        msg = kc.get_iopub_msg(timeout=TIMEOUT_S)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "status":
            if content["execution_state"] == "idle" and until_idle:
                return outputs
            continue
        outputs.append({"type": kind, "content": content})


def shell_reply(kc, msg_id):
    while True:
        reply = kc.get_shell_msg(timeout=TIMEOUT_S)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"]


def summarize(reply, outputs):
    stdout = "".join(o["content"]["text"] for o in outputs
                     if o["type"] == "stream" and o["content"]["name"] == "stdout")
    stderr = "".join(o["content"]["text"] for o in outputs
                     if o["type"] == "stream" and o["content"]["name"] == "stderr")
    return {
        "status": reply["status"],
        "reply": reply,
        "stdout": stdout,
        "stderr": stderr,
        "stream_messages": sum(1 for o in outputs if o["type"] == "stream"),
        "results": [o["content"]["data"] for o in outputs if o["type"] == "execute_result"],
        "displays": [o["content"] for o in outputs if o["type"] == "display_data"],
        "updates": [o["content"] for o in outputs if o["type"] == "update_display_data"],
        "errors": [o["content"] for o in outputs if o["type"] == "error"],
    }


def execute(kc, code):
    msg_id = kc.execute(code)
    outputs = collect(kc, msg_id)
    return summarize(shell_reply(kc, msg_id), outputs)


def interrupt_busy_loop(kc, kernel_pid=None):
    """Runs while(true){}, interrupts it (interrupt_request on the control channel, or SIGINT when
    kernel_pid is given), then checks that the kernel still works."""
    msg_id = kc.execute("long spins = 0;\nwhile (true) { spins++; }")
    while True:  # wait until the kernel has started the cell
        msg = kc.get_iopub_msg(timeout=TIMEOUT_S)
        if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "execute_input"):
            break
    time.sleep(1.0)
    if kernel_pid is None:
        request = kc.session.msg("interrupt_request", {})
        kc.control_channel.send(request)
        interrupt_reply = kc.get_control_msg(timeout=TIMEOUT_S)["content"]
    else:
        os.kill(kernel_pid, signal.SIGINT)
        interrupt_reply = "SIGINT"
    outputs = collect(kc, msg_id)
    looped = summarize(shell_reply(kc, msg_id), outputs)
    looped["interrupt_reply"] = interrupt_reply
    return {"loop": looped, "after": execute(kc, "spins > 0")}


def complete(kc, code, cursor=None):
    msg_id = kc.complete(code, len(code) if cursor is None else cursor)
    return shell_reply(kc, msg_id)


def is_complete(kc, code):
    msg_id = kc.is_complete(code)
    return shell_reply(kc, msg_id)


def inspect(kc, code):
    msg_id = kc.inspect(code, len(code))
    return shell_reply(kc, msg_id)


RICH_CLASS = """
class Pic implements Rich {
    public Map<String, String> mimeBundle() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("text/html", "<b>pic</b>");
        m.put("image/png", "iVBORw0KGgo=");
        return m;
    }
    public String toString() { return "Pic"; }
}
""".strip()


def wait_until_listening(kc, started):
    """The JVM takes seconds to bind its sockets; a client that beats too early thinks it died."""
    while True:
        try:
            socket.create_connection((kc.ip, kc.hb_port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() - started > TIMEOUT_S:
                raise
            time.sleep(0.1)


def main():
    kc = BlockingKernelClient(connection_file=sys.argv[1])
    kc.load_connection_file()
    started = time.monotonic()
    wait_until_listening(kc, started)
    kc.start_channels()
    kc.wait_for_ready(timeout=TIMEOUT_S)
    results = {"ready_s": time.monotonic() - started}
    first = time.monotonic()
    results["define"] = execute(kc, "int x = 40;\nString s = \"abc\";")
    results["first_cell_s"] = time.monotonic() - first
    results["expression"] = execute(kc, "x + 2")
    results["semicolon"] = execute(kc, "x + 2;")
    results["stream"] = execute(
        kc, 'for (int i = 0; i < 3; i++) {\n    System.out.println("tick " + i);\n    Thread.sleep(300);\n}\n'
            'System.err.println("warned");')
    results["rich"] = execute(kc, RICH_CLASS + "\nnew Pic()")
    results["display"] = execute(
        kc, 'display(new Pic());\nString id = Display.showUpdatable("v1");\nDisplay.update(id, "v2");')
    results["compile_error"] = execute(kc, "int a = 1;\nint b = 2;\nint c = a +\n    undefinedVar;")
    results["runtime_error"] = execute(
        kc, "int[] arr = new int[1];\nvoid poke(int[] a) {\n    a[5] = 1;\n}\npoke(arr);")
    results["state_after_errors"] = execute(kc, "a + b")
    results["thread_local_set"] = execute(kc, "ThreadLocal<Integer> local = ThreadLocal.withInitial(() -> 0);\nlocal.set(7);")
    results["interrupt"] = interrupt_busy_loop(kc)
    if len(sys.argv) > 2:
        results["interrupt_signal"] = interrupt_busy_loop(kc, int(sys.argv[2]))
    results["thread_local_after"] = execute(kc, "local.get()")
    results["time_line"] = execute(kc, "%time Thread.sleep(20)")
    results["time_cell"] = execute(kc, "%%time\nint t = 1;\nt + 1")
    results["unknown_magic"] = execute(kc, "%nosuchmagic 1")
    results["libraries"] = execute(
        kc, 'Table t = Table.create("t", IntColumn.create("n", new int[] {1, 2, 3}));\n'
            'INDArray v = Nd4j.create(new float[] {1f, 2f, 3f});\n'
            't.rowCount() + " rows, sum " + v.sumNumber()')
    if os.environ.get("OSUM_TEST_CLASSES"):
        results["classpath_magic"] = execute(
            kc, "%classpath " + os.environ["OSUM_TEST_CLASSES"] + "\ndemo.FromFolder.hi()")
    if os.environ.get("OSUM_TEST_MAVEN"):
        results["maven_magic"] = execute(
            kc, "%maven " + os.environ["OSUM_TEST_MAVEN"] + "\ndemo.FromJar.hi()")
    results["history"] = shell_reply(kc, kc.history(hist_access_type="tail", n=3))
    results["complete_member"] = complete(kc, "s.subs")
    results["complete_class"] = complete(kc, "int y = 1;\nStringBui")
    results["is_complete_open"] = is_complete(kc, "for (int i = 0; i < 3; i++) {")
    results["is_complete_done"] = is_complete(kc, "int q = 1;")
    results["is_complete_bad"] = is_complete(kc, "int z = ;")
    results["inspect"] = inspect(kc, "s.substring")
    kc.shutdown()
    kc.stop_channels()
    print(json.dumps(results))


if __name__ == "__main__":
    main()
