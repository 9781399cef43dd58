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

    # The same for Microsoft.Network: the profile names 2022-01-01, Debian ships azure-mgmt-network with 2022-07-01 as
    # its newest version (and no 2022-01-01), so every `az network ...` command fails while loading its arguments.
    if importlib.util.find_spec("azure.mgmt.network.v2022_01_01") is None and importlib.util.find_spec("azure.mgmt.network.v2022_07_01") is not None:
        from azure.cli.core.profiles._shared import AZURE_API_PROFILES, ResourceType

        if AZURE_API_PROFILES["latest"].get(ResourceType.MGMT_NETWORK) == "2022-01-01":
            AZURE_API_PROFILES["latest"][ResourceType.MGMT_NETWORK] = "2022-07-01"

        # That package is single-version: its operations live at azure.mgmt.network.operations, where the CLI's
        # `az network nic show` / `public-ip show` look for them under the version. Alias the one module they import.
        import importlib.abc
        import sys

        class _NetworkOperations(importlib.abc.MetaPathFinder, importlib.abc.Loader):
            name = "azure.mgmt.network.v2022_07_01.operations"

            def find_spec(self, fullname, path, target=None):
                return importlib.util.spec_from_loader(fullname, self) if fullname == self.name else None

            def create_module(self, spec):
                import azure.mgmt.network.operations

                return azure.mgmt.network.operations

            def exec_module(self, module):
                pass

        sys.meta_path.append(_NetworkOperations())
except Exception:  # not the az CLI, or a layout this fix does not know: leave Python alone
    pass
