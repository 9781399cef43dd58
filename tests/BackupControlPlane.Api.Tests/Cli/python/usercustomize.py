# Loaded by Python at start-up when this folder is on PYTHONPATH (the az CLI tests put it there).
#
# Debian's azure-cli 2.45.0 maps Microsoft.Compute to API version 2022-11-01 in its 'latest' profile, but Debian's
# python3-azure ships azure-mgmt-compute 29.0.0, whose newest version is 2022-08-01, so every `az vm ...` command (and
# the VM GET inside `az backup protection enable-for-vm`) fails on the client before sending anything
# (Azure/azure-cli#25826). Rewrite that one profile entry in memory; no installed file is touched.
try:
    import importlib.util

    if importlib.util.find_spec("azure.mgmt.compute.v2022_11_01") is None:
        from azure.cli.core.profiles._shared import AZURE_API_PROFILES, ResourceType

        compute = AZURE_API_PROFILES["latest"][ResourceType.MGMT_COMPUTE]
        if compute.profile.get(None) == "2022-11-01":
            compute.profile[None] = "2022-08-01"
except Exception:  # not the az CLI, or a layout this fix does not know: leave Python alone
    pass
