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
