"""A three-node RabbitMQ cluster of the test's own (issue 24), as production runs it (k8s/base/rabbitmq.yaml): three
nodes on this machine, each a ``PrivateBroker`` with its own ports and node name but one Erlang cookie, joined into
one cluster; the vhost ``bilum`` of deploy/rabbitmq/definitions.json (quorum queues by default, the project's
policies). The test kills a node as a machine crash would, starts it again and stops another gracefully, and asks a
running node what the queues look like."""

import json
import os
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import eventlet

from bilum.waiting import eventually
from tests.faults.platform import REPO, PrivateBroker, _rabbit_tool

DEFINITIONS = REPO / "deploy" / "rabbitmq" / "definitions.json"
# How long a command may take on a node (a loaded machine's CLI takes seconds to start) before another is asked.
_CTL_TIMEOUT_S = 60


class ClusterNode(PrivateBroker):
    """One node: a PrivateBroker whose cookie is the cluster's, named after its place in the cluster."""

    def __init__(self, base: Path, letter: str, cookie: str):
        home = base / "home"
        home.mkdir(parents=True, exist_ok=True)
        cookie_file = home / ".erlang.cookie"
        if not cookie_file.exists():
            cookie_file.write_text(cookie)
            cookie_file.chmod(0o400)
        super().__init__(base)
        self.node = f"bilumcluster{letter}{self.port}@localhost"

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill_9(self) -> None:
        """SIGKILL to the node's whole process group: no shutdown, no leadership handed over, as a machine crash."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def ctl(self, *args: str, timeout_s: float = _CTL_TIMEOUT_S) -> str:
        """``rabbitmqctl`` against this node; its output, or AssertionError with what it said."""
        try:
            result = subprocess.run(
                [_rabbit_tool("rabbitmqctl"), "-n", self.node, "-q", *args],
                env=self.env,
                capture_output=True,
                text=True,
                timeout=timeout_s,
            )
        except subprocess.TimeoutExpired:
            raise AssertionError(f"rabbitmqctl {args[0]} on {self.node} took over {timeout_s:.0f} s") from None
        if result.returncode != 0:
            raise AssertionError(f"rabbitmqctl {' '.join(args)} on {self.node} failed: {result.stderr[-1500:]}")
        return result.stdout


class PrivateCluster:
    """Three nodes, A first (the one the others join); ``amqp_uri`` names all three, as the services are given it."""

    def __init__(self, base: Path, vhost: str = "bilum"):
        self.base = base
        cookie = os.urandom(16).hex()
        self.nodes = [ClusterNode(base / f"node{letter}", letter, cookie) for letter in "ABC"]
        self.vhost = vhost
        self.amqp_uri = ";".join(f"amqp://guest:guest@127.0.0.1:{node.port}/{vhost}" for node in self.nodes)
        # Redeliveries counted by nodes since gone (a node's counters start from nought each time it starts), and
        # the cluster's count as each fault was dealt.
        self._redelivered_banked = 0
        self.redelivered_at_faults: list[int] = []

    def node(self, name: str) -> ClusterNode:
        (node,) = [node for node in self.nodes if node.node == name]
        return node

    def running_nodes(self) -> list:
        return [node for node in self.nodes if node.running()]

    # Forming the cluster ---------------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the three nodes, join B and C to A, wait for all three to run, then make the vhost."""
        first, *others = self.nodes
        list(eventlet.GreenPool().imap(ClusterNode.start, self.nodes))
        for node in others:
            node.ctl("stop_app")
            node.ctl("join_cluster", first.node)
            node.ctl("start_app")
        eventually(lambda: self.cluster_running() == {node.node for node in self.nodes}, "three running nodes", 120, 1)
        self._make_vhost(first)

    def cluster_running(self) -> set:
        """The nodes a running node sees running in the cluster."""
        for node in self.running_nodes():
            try:
                status = json.loads(node.ctl("cluster_status", "--formatter", "json"))
            except (AssertionError, ValueError):
                continue
            return set(status.get("running_nodes", ()))
        return set()

    def _make_vhost(self, node: ClusterNode) -> None:
        """The vhost of the definitions, with its metadata (the default queue type) and policies, imported as the
        definitions are; guest may do anything there (the per-service users and their permissions are
        tests/integration/test_broker_permissions.py's matter)."""
        definitions = json.loads(DEFINITIONS.read_text())
        imported = {
            "vhosts": [vhost for vhost in definitions["vhosts"] if vhost["name"] == self.vhost],
            "policies": [policy for policy in definitions["policies"] if policy["vhost"] == self.vhost],
            "permissions": [{"user": "guest", "vhost": self.vhost, "configure": ".*", "write": ".*", "read": ".*"}],
        }
        path = self.base / "definitions.json"
        path.write_text(json.dumps(imported))
        node.ctl("import_definitions", str(path))

    def stop(self) -> None:
        for node in reversed(self.nodes):
            node.stop()

    # Faults ----------------------------------------------------------------------------------------------------------

    def kill_9(self, node: ClusterNode) -> float:
        """Kill a node as a machine crash would; the monotonic time of the kill."""
        self._bank_redeliveries(node)
        killed_at = time.monotonic()
        node.kill_9()
        return killed_at

    def stop_node(self, node: ClusterNode) -> float:
        """A graceful stop (SIGTERM, as Kubernetes stops a pod): the node closes its connections and leaves its
        queues to the others; the monotonic time the stop was asked."""
        self._bank_redeliveries(node)
        asked_at = time.monotonic()
        node.stop()
        return asked_at

    def start_node(self, node: ClusterNode, timeout_s: float = 120) -> float:
        """Start a node that was stopped or killed; seconds until it is running in the cluster and online in every
        quorum queue it is a member of (queues declared while it was away have only the other two)."""
        started = time.monotonic()
        node.start()
        eventually(lambda: node.node in self.cluster_running(), f"{node.node} to rejoin the cluster", timeout_s, 1)
        eventually(
            lambda: all(
                node.node in queue["online"] for queue in self.quorum_queues() if node.node in queue["members"]
            ),
            f"every quorum queue to have {node.node} online again",
            timeout_s,
            1,
        )
        return time.monotonic() - started

    # What the nodes say ----------------------------------------------------------------------------------------------

    def _ask(self, *args: str) -> str:
        """A command on the first running node that answers."""
        errors = []
        for node in self.running_nodes():
            try:
                return node.ctl(*args)
            except AssertionError as error:
                errors.append(str(error))
        raise AssertionError("no running node answered: " + " | ".join(errors))

    def _list_queues(self, *columns: str) -> list:
        return json.loads(self._ask("list_queues", "-p", self.vhost, "--formatter", "json", "name", *columns) or "[]")

    def quorum_queues(self) -> list:
        """``[{name, leader, members, online}]`` of every quorum queue."""
        return [
            queue for queue in self._list_queues("type", "leader", "members", "online") if queue["type"] == "quorum"
        ]

    def leaders(self, of=lambda name: True) -> Counter:
        """How many quorum queues each node leads, of those whose name ``of`` accepts."""
        return Counter(queue["leader"] for queue in self.quorum_queues() if of(queue["name"]))

    def main_leader(self, of=lambda name: True) -> tuple[ClusterNode, int]:
        """The node that leads most of the quorum queues ``of`` accepts, and how many it leads."""
        ((name, count),) = self.leaders(of).most_common(1)
        return self.node(name), count

    def connections(self) -> Counter:
        """How many client connections to the vhost each node holds."""
        listed = json.loads(self._ask("list_connections", "--formatter", "json", "vhost", "port") or "[]")
        node_of_port = {node.port: node.node for node in self.nodes}
        return Counter(
            node_of_port[c["port"]] for c in listed if c["vhost"] == self.vhost and c["port"] in node_of_port
        )

    def queues(self) -> dict:
        """``{queue: (ready, unacknowledged)}``, as PrivateBroker's."""
        return {
            queue["name"]: (queue["messages_ready"], queue["messages_unacknowledged"])
            for queue in self._list_queues("messages_ready", "messages_unacknowledged")
        }

    def consumers(self) -> dict:
        """``{queue: consumers}``, counting only consumers whose channel is on a running node: a quorum queue keeps a
        crashed node's consumers for a while (suspected down), which would pass for a service already back. A queue
        whose consumers cannot be read now counts none; ``{}`` when no node answers (no service is back then)."""
        expression = (
            "Running = rabbit_nodes:all_running(), "
            "Live = fun(Q) -> try length([C || C <- rabbit_amqqueue:consumers(Q), "
            "lists:member(node(element(1, C)), Running)]) catch _:_ -> 0 end end, "
            "Counts = maps:from_list([{element(4, amqqueue:get_name(Q)), Live(Q)} "
            f'|| Q <- rabbit_amqqueue:list(<<"{self.vhost}">>)]), '
            'io:format("~s~n", [rabbit_json:encode(Counts)]).'
        )
        try:
            return json.loads(self._ask("eval", expression).splitlines()[0])
        except (AssertionError, ValueError, IndexError):
            return {}

    def redelivered(self) -> int:
        """Messages the broker handed out again (flagged redelivered) since the cluster started, from each node's
        global counters (``rabbit_global_counters``), with those of nodes since stopped or killed."""
        return self._redelivered_banked + sum(self._redelivered_by_node().values())

    def _redelivered_by_node(self) -> dict:
        expression = (
            "Sums = [{Node, lists:sum([maps:get(messages_redelivered_total, Counters, 0) || Counters <- "
            "maps:values(erpc:call(Node, rabbit_global_counters, overview, []))])} "
            "|| Node <- rabbit_nodes:all_running()], "
            'io:format("~s~n", [rabbit_json:encode(maps:from_list(Sums))]).'
        )
        return json.loads(self._ask("eval", expression).splitlines()[0])

    def _bank_redeliveries(self, node: ClusterNode) -> None:
        """Before a node goes: keep its count, and note the cluster's."""
        counts = self._redelivered_by_node()
        self.redelivered_at_faults.append(self._redelivered_banked + sum(counts.values()))
        self._redelivered_banked += counts.get(node.node, 0)
