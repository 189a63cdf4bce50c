# Jupyter server settings for the course: `make lab`, Binder (binder/start), the browser tests and
# the browser benchmark put this folder on JUPYTER_CONFIG_PATH.
#
# Widget messages do not count as kernel activity. Every message a widget sends to the kernel (a
# slider moved, a Play widget's tick, a live figure's "draw") makes the kernel report busy, then idle;
# JupyterLab then re-renders its kernel status (toolbar, status bar, execution indicator) and swaps
# the page's favicon twice, which the browser reloads. Dragging a bare slider cost headless Chromium
# ~1.0 s of CPU per second that way, 0.24 s without it (benchmarks/browser_profile.py, issue 17):
# an app's frames wait behind that work. With "comm_msg" untracked, JupyterLab ignores the status
# messages those requests cause (widgets still get their replies), and the server does not count
# them as activity for idle-kernel culling.
c.MappingKernelManager.untracked_message_types.append("comm_msg")  # noqa: F821 - `c` is given by Jupyter

# Kernel messages reach the browser at once. Jupyter's kernel websocket leaves Nagle's algorithm on:
# after one small message (a kernel's "busy") the server holds the next ones until the browser has
# acknowledged the first, and browsers delay that acknowledgement by ~40 ms. Every widget round trip
# (a slider moved → the kernel's reply) waited those 40 ms: measured in headless Chromium, the kernel
# handled a slider move in ~5 ms and the browser got the reply 45 ms after sending it, capping every
# slider-driven app near 20 updates per second (issue 17). TCP_NODELAY sends each message as it comes.
from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection  # noqa: E402


class PromptKernelConnection(ZMQChannelsWebsocketConnection):
    """Jupyter's kernel websocket connection with TCP_NODELAY: no message waits for the previous one's ACK."""

    def connect(self):
        self.websocket_handler.set_nodelay(True)
        return super().connect()


c.ServerApp.kernel_websocket_connection_class = PromptKernelConnection  # noqa: F821
