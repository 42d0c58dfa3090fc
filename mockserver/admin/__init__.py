"""The control plane under `/__admin` (`app.admin_app`)."""
