# 委員が多いとき・県庁の複数の部屋から見るときに、JupyterHub で委員ごとにダッシュボードを配る設定の例。
# 置き場所: /etc/jupyterhub/jupyterhub_config.py（手順: docs/deploy.md の「5. JupyterHub で多くの人に配る」）
# 起動: cd /etc/jupyterhub && jupyterhub -f jupyterhub_config.py（systemd のユニットにする例も docs/deploy.md）
#
# 仕組み: 委員はそれぞれ自分の Linux アカウントでログインし、JupyterHub がその人の Jupyter Server を
# 起動する（委員の数だけ。JupyterHub の既定の LocalProcessSpawner）。その Jupyter Server の中の Voilà
# （サーバー拡張。pip install voila で有効）が /voila/render/dashboard.ipynb でダッシュボードを出す。
# briefing serve のカーネルの事前起動（--pool）は使わず、委員ごとのサーバーとカーネルは JupyterHub が管理する。
#
# 前提: リポジトリを /opt/mie-briefing に置き、その .venv に pip install -e . と pip install jupyterhub 済み
#       （JupyterHub の起動と委員のサーバーは同じ .venv の Python で動く）。データは /srv/mie-briefing/data。
#       JupyterHub の前に nginx（HTTPS、docs/deploy/nginx-mie-briefing.conf の proxy_pass を 8000 番に）。
# tests/test_deploy.py がこのファイルを traitlets で読み、すべての設定名が JupyterHub・Voilà・Jupyter
# Server の実際の設定項目であること、Voilà の設定が briefing serve と同じことを確かめ、委員のサーバーと
# 同じ引数・環境で起動した Jupyter Server がダッシュボードを出すことを確かめています。

c = get_config()  # noqa: F821 (JupyterHub が読み込むときに与えられる)

REPO = "/opt/mie-briefing"
DATA = "/srv/mie-briefing/data"

# --- JupyterHub 本体 ---------------------------------------------------------------
# nginx だけが接続する（HTTPS と外向きの入口は nginx）
c.JupyterHub.bind_url = "http://127.0.0.1:8000"
# 委員のログイン: このサーバーの Linux アカウント（PAM）。グループ mie-committee の人だけ
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.allowed_groups = {"mie-committee"}
# ログアウトしたら、その人のサーバーとカーネルを止める
c.JupyterHub.shutdown_on_logout = True

# --- 委員ごとのサーバー ---------------------------------------------------------------
c.JupyterHub.spawner_class = "localprocess"
# ノートブックはリポジトリの notebooks/ から。開いたらダッシュボードを出す
c.Spawner.notebook_dir = f"{REPO}/notebooks"
c.Spawner.default_url = "/voila/render/dashboard.ipynb"
# 委員のホームフォルダの Jupyter 設定は読まない（どの委員にも同じ画面）
c.Spawner.disable_user_config = True
c.Spawner.environment = {
    "BRIEFING_DATA": DATA,
    # CDN を読まない Voilà テンプレート briefing（widgets/voila/templates/briefing）
    "JUPYTER_PATH": f"{REPO}/widgets",
    "MPLBACKEND": "agg",
}
# briefing serve（briefing/server.py の voila_command）と同じ Voilà の設定
c.Spawner.args = [
    "--VoilaConfiguration.template=briefing",
    "--VoilaConfiguration.strip_sources=True",
    "--VoilaConfiguration.show_tracebacks=False",
    # 実行が止まったときに打ち切る時間（秒）。ないとページが「Loading widget...」のままになることがある
    "--VoilaExecutor.timeout=20",
    "--VoilaExecutor.iopub_timeout=20",
    "--VoilaExecutor.cell_error_instruction=表示中に問題が起きました。ページを再読み込みしてください。続くときは担当者に連絡してください。",
    "--VoilaExecutor.cell_timeout_instruction=時間内に表示できませんでした。ページを再読み込みしてください。",
    # 閉じたページのカーネルを 60 秒で止める
    "--MappingKernelManager.cull_idle_timeout=60",
    "--MappingKernelManager.cull_interval=15",
    "--MappingKernelManager.cull_connected=False",
    # 数式表示の MathJax をインターネット（cdnjs）から読みに行かない（briefing serve と同じく外へ出ない）
    "--ServerApp.tornado_settings={'mathjax_url': None, 'mathjax_config': None}",
    # 委員の画面に端末は要らない
    "--ServerApp.terminals_enabled=False",
]
