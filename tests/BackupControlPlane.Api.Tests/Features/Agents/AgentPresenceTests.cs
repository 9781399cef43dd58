using BackupControlPlane.Api.Data;
using BackupControlPlane.Api.Features.Agents;
using BackupControlPlane.Api.Infrastructure;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace BackupControlPlane.Api.Tests.Features.Agents;

/// <summary>
/// Presence is judged on the transport clock and tasks on the emulated one: each test moves one fake clock and shows
/// what the other does not see.
/// </summary>
public sealed class AgentPresenceTests
{
    private readonly FakeTimeProvider _emulated = new(DateTimeOffset.UtcNow);
    private readonly FakeTimeProvider _transport = new(DateTimeOffset.UtcNow);
    private readonly AgentPresence _presence;

    public AgentPresenceTests() =>
        _presence = new AgentPresence(_emulated, new TransportClock(_transport), Options.Create(new EmulatorOptions { AgentReadyWindow = TimeSpan.FromMinutes(2) }));

    private VirtualMachine Vm(long id) => new()
    {
        Id = id, SubscriptionId = "s", ResourceGroup = "rg", Name = "vm" + id, Key = "k" + id, Location = "eastus", OsType = "Linux",
        CreatedAt = _emulated.GetUtcNow() - TimeSpan.FromDays(1),
    };

    [Fact]
    public void A_node_whose_own_sighting_is_old_still_sees_the_agent_Ready_when_another_node_just_heard_from_it()
    {
        // With two nodes an agent's requests may all go to the other node for a while; that node writes the heartbeat.
        // Measured before the fix: 32 of 1,000 backups on two nodes refused as Not Ready, heard from seconds before.
        var vm = Vm(7);
        _presence.Heard(vm.Id);
        Assert.True(_presence.IsReady(vm));
        _transport.Advance(TimeSpan.FromMinutes(2));
        Assert.False(_presence.IsReady(vm)); // this node's own sighting aged past the window
        Assert.True(_presence.IsUnavailable(vm));

        vm.AgentLastSeen = _transport.GetUtcNow(); // the other node's heartbeat
        Assert.True(_presence.IsReady(vm));
        Assert.False(_presence.IsUnavailable(vm));
        _transport.Advance(TimeSpan.FromMinutes(2));
        Assert.False(_presence.IsReady(vm)); // and it ages on the transport clock too
    }

    [Fact]
    public void Moving_the_emulated_clock_by_days_leaves_a_connected_or_recently_heard_agent_Ready()
    {
        var connected = Vm(1);
        var heard = Vm(2);
        using var poll = _presence.Connect(connected.Id);
        _presence.Heard(heard.Id);
        heard.AgentLastSeen = _transport.GetUtcNow();

        _emulated.Advance(TimeSpan.FromDays(30));
        Assert.True(_presence.IsReady(connected));
        Assert.True(_presence.IsReady(heard));

        // The transport clock is what ages them: a held poll keeps its agent Ready however long it is held.
        _transport.Advance(TimeSpan.FromMinutes(5));
        Assert.True(_presence.IsReady(connected));
        Assert.False(_presence.IsReady(heard));
        poll.Dispose();
        Assert.True(_presence.IsReady(connected)); // the poll's end counts as a request
        _transport.Advance(TimeSpan.FromMinutes(2));
        Assert.False(_presence.IsReady(connected));
    }

    [Fact]
    public void A_VM_is_Not_Ready_but_not_yet_unavailable_while_it_boots_on_the_emulated_clock()
    {
        var vm = Vm(3);
        vm.CreatedAt = _emulated.GetUtcNow();
        Assert.False(_presence.IsReady(vm));
        Assert.False(_presence.IsUnavailable(vm)); // its agent still has the window to come up
        _emulated.Advance(TimeSpan.FromMinutes(2));
        Assert.True(_presence.IsUnavailable(vm));
    }

    [Fact]
    public void Agents_no_longer_heard_from_are_forgotten_and_those_still_polling_are_kept()
    {
        for (var id = 1; id <= 1000; id++) _presence.Heard(id);
        using var stillPolling = _presence.Connect(5000);
        Assert.Equal(1001, _presence.Remembered);

        _transport.Advance(TimeSpan.FromMinutes(3)); // past the window: the 1,000 VMs were deleted, or their agents left
        _presence.Heard(6000);
        Assert.Equal(2, _presence.Remembered);
        Assert.True(_presence.IsReady(Vm(5000)));
        Assert.True(_presence.IsReady(Vm(6000)));
        Assert.False(_presence.IsReady(Vm(1)));

        // A forgotten agent that comes back is Ready again at once.
        _presence.Heard(1);
        Assert.True(_presence.IsReady(Vm(1)));
    }
}
