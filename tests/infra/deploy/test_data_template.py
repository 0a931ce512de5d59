"""infra/aws/data.yaml holds what the issue asks of the data tier: private subnets in two AZs with NAT egress,
Aurora PostgreSQL Serverless v2 with pgvector 0.8 behind an RDS Proxy with Secrets Manager auth, and
security groups through which only the functions reach the proxy and only the proxy the database."""

import re

from tests.infra.deploy.templates import load

TEMPLATE = load("infra/aws/data.yaml")
RESOURCES = TEMPLATE["Resources"]


def of_type(kind: str) -> dict[str, dict]:
    return {name: r for name, r in RESOURCES.items() if r["Type"] == kind}


def test_private_subnets_sit_in_two_availability_zones_and_leave_through_nat():
    private = {name: r for name, r in of_type("AWS::EC2::Subnet").items() if name.startswith("Private")}
    zones = {str(r["Properties"]["AvailabilityZone"]) for r in private.values()}
    assert len(private) == 2 and len(zones) == 2
    routes = [
        r["Properties"] for name, r in of_type("AWS::EC2::Route").items() if name.startswith("PrivateDefault")
    ]
    assert len(routes) == 2 and all("NatGatewayId" in route for route in routes)
    assert RESOURCES["S3GatewayEndpoint"]["Properties"]["VpcEndpointType"] == "Gateway"


def test_the_cluster_is_aurora_postgresql_serverless_v2_of_a_version_with_pgvector_0_8():
    cluster = RESOURCES["DatabaseCluster"]
    assert cluster["DeletionPolicy"] == "Snapshot"
    properties = cluster["Properties"]
    assert properties["Engine"] == "aurora-postgresql"
    assert properties["StorageEncrypted"] is True
    scaling = properties["ServerlessV2ScalingConfiguration"]
    assert (scaling["MinCapacity"], scaling["MaxCapacity"]) == ("MinCapacity", "MaxCapacity")
    default = TEMPLATE["Parameters"]["EngineVersion"]["Default"]
    major, minor = (int(part) for part in default.split("."))
    # Aurora ships pgvector 0.8 from 16.5 and 17.4 on
    assert (major, minor) >= (17, 4) or (major == 16 and minor >= 5)
    assert re.fullmatch(TEMPLATE["Parameters"]["EngineVersion"]["AllowedPattern"], default)
    assert (
        TEMPLATE["Parameters"]["MinCapacity"]["MinValue"] >= 0.5
    )  # auto-pause does not work behind the proxy
    for instance in of_type("AWS::RDS::DBInstance").values():
        assert instance["Properties"]["DBInstanceClass"] == "db.serverless"
        assert instance["Properties"]["PubliclyAccessible"] is False


def test_the_proxy_signs_in_with_the_database_secret():
    proxy = RESOURCES["DatabaseProxy"]["Properties"]
    assert proxy["EngineFamily"] == "POSTGRESQL"
    (auth,) = proxy["Auth"]
    assert auth["AuthScheme"] == "SECRETS" and auth["SecretArn"] == "DatabaseSecret"
    generated = RESOURCES["DatabaseSecret"]["Properties"]["GenerateSecretString"]
    assert generated["ExcludePunctuation"] is True  # the password goes into a URL unescaped by others


def test_only_the_functions_reach_the_proxy_and_only_the_proxy_the_database():
    def sources(group: str) -> list[str]:
        return [
            rule["SourceSecurityGroupId"] for rule in RESOURCES[group]["Properties"]["SecurityGroupIngress"]
        ]

    assert sources("ProxySecurityGroup") == ["FunctionSecurityGroup"]
    assert sources("DatabaseSecurityGroup") == ["ProxySecurityGroup"]
    assert "SecurityGroupIngress" not in RESOURCES["FunctionSecurityGroup"]["Properties"]
    assert RESOURCES["DatabaseProxy"]["Properties"]["VpcSecurityGroupIds"] == ["ProxySecurityGroup"]
    assert RESOURCES["DatabaseCluster"]["Properties"]["VpcSecurityGroupIds"] == ["DatabaseSecurityGroup"]


def test_the_outputs_template_yaml_needs_are_exported():
    outputs = TEMPLATE["Outputs"]
    for name in ("PrivateSubnetIds", "FunctionSecurityGroupId", "ProxyEndpoint", "DatabaseSecretArn"):
        assert "Export" in outputs[name], name
