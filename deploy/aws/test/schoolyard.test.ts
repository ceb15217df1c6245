// One test per property of the seed's AWS design (issue 8, "Infrastructure as code"), each named
// after the property it proves, checked on the synthesised CloudFormation template; then
// cdk-nag's AwsSolutions pack. Run: npm test (tsc + node --test, Node 18 or later).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { build, only, PROPS, resources, Resources } from './fixture';
import { APP_PORT, DB_PORT, IMAGING_ENV, QUEUE_DEPTH_METRIC, QUEUE_DEPTH_NAMESPACE } from '../lib/schoolyard-stack';

const { stack, template } = build();
const all = resources(template);
const ofType = (type: string): Resources => resources(template, type);
const ref = (x: any): string => x?.Ref ?? x?.['Fn::GetAtt']?.[0];
const tag = (r: any, key: string) => (r.Properties.Tags ?? []).find((t: any) => t.Key === key)?.Value;
const subnetsOf = (kind: 'Public' | 'Private' | 'Isolated') =>
  new Set(Object.entries(ofType('AWS::EC2::Subnet')).filter(([, r]) => tag(r, 'aws-cdk:subnet-type') === kind).map(([k]) => k));
const publicSubnets = subnetsOf('Public');
const privateSubnets = new Set([...subnetsOf('Private'), ...subnetsOf('Isolated')]);
const byPrefix = (type: string, prefix: string) => only(Object.fromEntries(Object.entries(ofType(type)).filter(([k]) => k.startsWith(prefix))));
const sgId = (prefix: string) => byPrefix('AWS::EC2::SecurityGroup', prefix)[0];

/** A template string value made readable: joins flattened, references as <LogicalIdWithoutHash.Attr>. */
const text = (x: any): string => typeof x === 'string' ? x
  : x['Fn::Join'] ? x['Fn::Join'][1].map(text).join('')
  : x['Fn::GetAtt'] ? `<${x['Fn::GetAtt'][0].replace(/[A-F0-9]{8}$/, '')}.${x['Fn::GetAtt'][1]}>`
  : x.Ref ? `<${x.Ref.replace(/[A-F0-9]{8}$/, '')}>` : JSON.stringify(x);

/** Every inbound rule of a security group, inline or as separate resources. */
function ingress(sg: string): any[] {
  const inline = (all[sg].Properties.SecurityGroupIngress ?? []) as any[];
  const separate = Object.values(ofType('AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties).filter((p) => ref(p.GroupId) === sg);
  return [...inline, ...separate];
}

/** The S3 statements of a role's policies: [{actions, resources, condition}] with bucket refs made readable. */
function s3Statements(rolePrefix: string) {
  const [role] = byPrefix('AWS::IAM::Role', rolePrefix);
  const policies = Object.values(ofType('AWS::IAM::Policy')).filter((p) => p.Properties.Roles.some((r: any) => ref(r) === role));
  const out: { actions: string[]; resources: string[]; condition?: any }[] = [];
  for (const p of policies) {
    for (const st of p.Properties.PolicyDocument.Statement) {
      const actions = ([] as string[]).concat(st.Action);
      const res = ([] as any[]).concat(st.Resource).map(text);
      if (actions.some((a) => a.startsWith('s3:')) || res.some((r) => r.includes('PhotosBucket'))) {
        assert.equal(st.Effect, 'Allow');
        out.push({ actions, resources: res, condition: st.Condition });
      }
    }
  }
  return out;
}
const B = '<PhotosBucket.Arn>';

function containers(taskPrefix: string): any[] {
  return byPrefix('AWS::ECS::TaskDefinition', taskPrefix)[1].Properties.ContainerDefinitions;
}
function envOf(c: any): Record<string, any> {
  const env: Record<string, any> = {};
  for (const e of c.Environment ?? []) env[e.Name] = e.Value;
  for (const s of c.Secrets ?? []) env[s.Name] = { secret: s.ValueFrom };
  return env;
}

test('VPC over two AZs: public subnets for the ALB only; app, workers, database and Lambda in private subnets', () => {
  assert.equal(publicSubnets.size, 2);
  assert.equal(privateSubnets.size, 4);
  const azs = (set: Set<string>) => new Set([...set].map((s) => all[s].Properties.AvailabilityZone));
  assert.deepEqual(azs(publicSubnets), new Set(['eu-west-1a', 'eu-west-1b']));
  assert.deepEqual(azs(privateSubnets), new Set(['eu-west-1a', 'eu-west-1b']));
  for (const s of privateSubnets) assert.equal(all[s].Properties.MapPublicIpOnLaunch, false, s);

  const [, alb] = only(ofType('AWS::ElasticLoadBalancingV2::LoadBalancer'));
  assert.equal(alb.Properties.Scheme, 'internet-facing');
  assert.deepEqual(new Set(alb.Properties.Subnets.map(ref)), publicSubnets);

  // Who else may sit in a public subnet: only the NAT gateway and the routing that makes it public.
  const allowedInPublic = new Set(['AWS::ElasticLoadBalancingV2::LoadBalancer', 'AWS::EC2::NatGateway', 'AWS::EC2::SubnetRouteTableAssociation']);
  for (const [id, r] of Object.entries(all)) {
    const refs = JSON.stringify(r.Properties ?? {}).match(/"Ref":"([A-Za-z0-9]+)"/g) ?? [];
    if (refs.some((m) => publicSubnets.has(m.slice(7, -1)))) assert.ok(allowedInPublic.has(r.Type), `${id} (${r.Type}) is in a public subnet`);
  }
  const inPrivate = (ids: any[], what: string) => {
    assert.ok(ids.length >= 2, `${what}: at least two subnets`);
    for (const s of ids) assert.ok(privateSubnets.has(ref(s)), `${what}: ${ref(s)} is not private`);
  };
  for (const [id, svc] of Object.entries(ofType('AWS::ECS::Service'))) {
    const net = svc.Properties.NetworkConfiguration.AwsvpcConfiguration;
    assert.equal(net.AssignPublicIp, 'DISABLED', id);
    inPrivate(net.Subnets, id);
  }
  inPrivate(only(ofType('AWS::RDS::DBSubnetGroup'))[1].Properties.SubnetIds, 'database');
  for (const [, db] of Object.entries(ofType('AWS::RDS::DBInstance'))) assert.equal(db.Properties.PubliclyAccessible, false);
  inPrivate(byPrefix('AWS::Lambda::Function', 'Compressor')[1].Properties.VpcConfig.SubnetIds, 'Lambda');
  for (const [, rule] of Object.entries(ofType('AWS::Events::Rule'))) {
    for (const t of rule.Properties.Targets) inPrivate(t.EcsParameters.NetworkConfiguration.AwsVpcConfiguration.Subnets, 'scheduled task');
  }
  // S3 reachable from the private subnets without NAT (docs/deploy-lambda.md).
  const [, endpoint] = only(ofType('AWS::EC2::VPCEndpoint'));
  assert.equal(endpoint.Properties.VpcEndpointType, 'Gateway');
  assert.match(JSON.stringify(endpoint.Properties.ServiceName), /s3/);
});

test('Security groups: ALB takes 443 from the internet; app only from the ALB; database only from app, workers and Lambda', () => {
  const alb = sgId('AlbSg'), app = sgId('AppSg'), worker = sgId('WorkerSg'), lambda = sgId('LambdaSg'), db = sgId('DbSg');
  assert.deepEqual(ingress(alb).map((r) => [r.CidrIp, r.IpProtocol, r.FromPort, r.ToPort]), [['0.0.0.0/0', 'tcp', 443, 443]]);
  assert.deepEqual(ingress(app).map((r) => [ref(r.SourceSecurityGroupId), r.CidrIp, r.FromPort, r.ToPort]), [[alb, undefined, APP_PORT, APP_PORT]]);
  assert.deepEqual(ingress(worker), []);
  assert.deepEqual(ingress(lambda), []);
  const dbRules = ingress(db);
  assert.deepEqual(new Set(dbRules.map((r) => ref(r.SourceSecurityGroupId))), new Set([app, worker, lambda]));
  for (const r of dbRules) {
    assert.equal(r.CidrIp, undefined);
    assert.deepEqual([r.IpProtocol, r.FromPort, r.ToPort], ['tcp', DB_PORT, DB_PORT]);
  }
  const [, cluster] = only(ofType('AWS::RDS::DBCluster'));
  assert.deepEqual(cluster.Properties.VpcSecurityGroupIds.map(ref), [db]);
  // The ALB can only talk to the app.
  const albEgress = Object.values(ofType('AWS::EC2::SecurityGroupEgress')).map((r) => r.Properties).filter((p) => ref(p.GroupId) === alb);
  assert.deepEqual(albEgress.map((p) => [ref(p.DestinationSecurityGroupId), p.FromPort]), [[app, APP_PORT]]);
});

test('ALB: HTTPS on 443 with a TLS 1.2+ policy, health checks on /readyz, 30 s deregistration delay', () => {
  const [, listener] = only(ofType('AWS::ElasticLoadBalancingV2::Listener'));
  assert.equal(listener.Properties.Port, 443);
  assert.equal(listener.Properties.Protocol, 'HTTPS');
  assert.match(listener.Properties.SslPolicy, /TLS13-1-2/);
  const [, tg] = only(ofType('AWS::ElasticLoadBalancingV2::TargetGroup'));
  assert.equal(tg.Properties.HealthCheckPath, '/readyz');
  assert.equal(tg.Properties.Matcher.HttpCode, '200');
  assert.equal(tg.Properties.Port, APP_PORT);
  assert.deepEqual(tg.Properties.TargetGroupAttributes.find((a: any) => a.Key === 'deregistration_delay.timeout_seconds').Value, '30');
  template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
    LoadBalancerAttributes: Match.arrayWith([
      { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
      { Key: 'access_logs.s3.enabled', Value: 'true' },
    ]),
  });
  // The app service is what the target group balances.
  const [, svc] = byPrefix('AWS::ECS::Service', 'AppService');
  assert.equal(ref(svc.Properties.LoadBalancers[0].TargetGroupArn), only(ofType('AWS::ElasticLoadBalancingV2::TargetGroup'))[0]);
});

test('Auto scaling: app service scales on ALB request count per target and on CPU, with a scheduled scale-up for results day', () => {
  const [targetId, target] = byPrefix('AWS::ApplicationAutoScaling::ScalableTarget', 'AppService');
  assert.ok(target.Properties.MinCapacity >= 2, 'at least two tasks (one per AZ)');
  assert.ok(target.Properties.MaxCapacity > target.Properties.MinCapacity);
  const policies = Object.values(ofType('AWS::ApplicationAutoScaling::ScalingPolicy')).filter((p) => ref(p.Properties.ScalingTargetId) === targetId);
  const kinds = policies.map((p) => p.Properties.TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.PredefinedMetricType).sort();
  assert.deepEqual(kinds, ['ALBRequestCountPerTarget', 'ECSServiceAverageCPUUtilization']);
  const actions = target.Properties.ScheduledActions as any[];
  const up = actions.find((a) => a.ScheduledActionName === 'ResultsDayScaleUp');
  const down = actions.find((a) => a.ScheduledActionName === 'ResultsDayScaleDown');
  assert.ok(up && down, 'scale up before results day and back down after');
  assert.ok(up.ScalableTargetAction.MinCapacity > target.Properties.MinCapacity);
  assert.equal(down.ScalableTargetAction.MinCapacity, target.Properties.MinCapacity);
  assert.equal(up.Schedule, 'cron(0 18 12 8 ? *)'); // the evening before 13 August (the default)
  // Workers scale too (CPU) and have the same results-day schedule; at least one always runs (sweeper).
  const [wId, w] = byPrefix('AWS::ApplicationAutoScaling::ScalableTarget', 'WorkerService');
  assert.ok(w.Properties.MinCapacity >= 1);
  assert.ok((w.Properties.ScheduledActions as any[]).some((a) => a.ScheduledActionName === 'ResultsDayScaleUp'));
  assert.ok(Object.values(ofType('AWS::ApplicationAutoScaling::ScalingPolicy')).some((p) => ref(p.Properties.ScalingTargetId) === wId));
});

test('Aurora MySQL 3: writer and reader in different AZs, encrypted, backups retained, deletion protected', () => {
  const [clusterId, cluster] = only(ofType('AWS::RDS::DBCluster'));
  assert.equal(cluster.Properties.Engine, 'aurora-mysql');
  assert.equal(cluster.Properties.DBClusterIdentifier, 'schoolyard', 'named after the stack (docs/deploy-aws.md)');
  assert.match(cluster.Properties.EngineVersion, /^8\.0\.mysql_aurora\.3\./);
  assert.equal(cluster.Properties.StorageEncrypted, true);
  assert.equal(cluster.Properties.DeletionProtection, true);
  assert.ok(cluster.Properties.BackupRetentionPeriod >= 7, 'at least a week of point-in-time recovery');
  assert.equal(all[clusterId] && (template.toJSON().Resources[clusterId].DeletionPolicy), 'Snapshot');
  assert.equal(template.toJSON().Resources[clusterId].UpdateReplacePolicy, 'Snapshot');
  const instances = Object.values(ofType('AWS::RDS::DBInstance'));
  assert.equal(instances.length, 2);
  for (const i of instances) assert.equal(ref(i.Properties.DBClusterIdentifier), clusterId);
  const azs = instances.map((i) => i.Properties.AvailabilityZone);
  assert.ok(azs.every((a) => typeof a === 'string'), 'each instance pinned to an AZ');
  assert.notEqual(azs[0], azs[1], 'writer and reader in different AZs');
  // The reader is the failover target.
  assert.ok(instances.some((i) => i.Properties.PromotionTier === 1));
});

test('Database credentials in Secrets Manager: generated password, URLs reach the containers as secrets only', () => {
  const [, cluster] = only(ofType('AWS::RDS::DBCluster'));
  assert.match(JSON.stringify(cluster.Properties.MasterUserPassword), /resolve:secretsmanager/);
  const generated = Object.values(ofType('AWS::SecretsManager::Secret')).filter((s) => s.Properties.GenerateSecretString);
  assert.equal(generated.length, 1);
  // URL-safe: the password goes into mysql://user:pass@host/db as it stands.
  for (const ch of ':/@?#%') assert.ok(generated[0].Properties.GenerateSecretString.ExcludeCharacters.includes(ch), ch);
  // Nothing in the template carries a password in clear: only dynamic references.
  const text = JSON.stringify(template.toJSON());
  assert.doesNotMatch(text, /mysql:\/\/schoolyard:[^{]/);
  for (const c of [...containers('AppTask'), ...containers('WorkerTask'), ...containers('MigrateTask'), ...containers('BackupTask')]) {
    for (const e of c.Environment ?? []) assert.ok(!/DB_(READ_)?URL/.test(e.Name), `${c.Name}: ${e.Name} must be a secret`);
  }
  const appEnv = envOf(containers('AppTask').find((c) => c.Name === 'app'));
  assert.ok(appEnv.SCHOOLYARD_DB_URL.secret && appEnv.SCHOOLYARD_DB_READ_URL.secret);
});

test('S3 bucket: public access blocked, encrypted, TLS-only policy, versioned, lifecycle for backups/', () => {
  const [bucketId, bucket] = byPrefix('AWS::S3::Bucket', 'PhotosBucket');
  const p = bucket.Properties;
  assert.deepEqual(p.PublicAccessBlockConfiguration, { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
  assert.equal(p.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm, 'AES256');
  assert.equal(p.VersioningConfiguration.Status, 'Enabled');
  assert.ok(p.LoggingConfiguration, 'server access logging');
  const backups = p.LifecycleConfiguration.Rules.find((r: any) => r.Prefix === 'backups/');
  assert.ok(backups, 'a lifecycle rule for backups/');
  assert.equal(backups.Status, 'Enabled');
  assert.ok(backups.NoncurrentVersionExpiration && backups.Transitions?.length, 'old backup versions expire, older backups move to cheaper storage');
  assert.equal(backups.ExpirationInDays, undefined, 'no age-based expiry: backups/objects/ copies are shared by later backups');
  const [, policy] = only(Object.fromEntries(Object.entries(ofType('AWS::S3::BucketPolicy')).filter(([, r]) => ref(r.Properties.Bucket) === bucketId)));
  assert.ok(policy.Properties.PolicyDocument.Statement.some((s: any) =>
    s.Effect === 'Deny' && s.Action === 's3:*' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false'), 'TLS-only policy');
  assert.equal(template.toJSON().Resources[bucketId].DeletionPolicy, 'Retain');
});

test('ObjectCreated on uploads/ invokes the schoolyard lambda function (provided.al2023), with reserved concurrency and a dead-letter destination', () => {
  const [fnId, fn] = byPrefix('AWS::Lambda::Function', 'Compressor');
  assert.equal(fn.Properties.Runtime, 'provided.al2023');
  assert.deepEqual(fn.Properties.Architectures, ['x86_64']);
  assert.ok(fn.Properties.Code.S3Bucket && fn.Properties.Code.S3Key, 'the zip bundle from docs/deploy-lambda.md');
  assert.ok(fn.Properties.ReservedConcurrentExecutions > 0 && fn.Properties.ReservedConcurrentExecutions <= 20);
  // timeout = job timeout + 30 s; the lease outlives the invocation.
  assert.equal(fn.Properties.Timeout, Number(IMAGING_ENV.SCHOOLYARD_JOB_TIMEOUT_SECONDS) + 30);
  assert.ok(Number(IMAGING_ENV.SCHOOLYARD_JOB_LEASE_SECONDS) > fn.Properties.Timeout);

  const [, n] = only(ofType('Custom::S3BucketNotifications'));
  const cfg = n.Properties.NotificationConfiguration;
  assert.deepEqual(Object.keys(cfg), ['LambdaFunctionConfigurations'], 'no other notification on the bucket');
  assert.equal(cfg.LambdaFunctionConfigurations.length, 1);
  const lc = cfg.LambdaFunctionConfigurations[0];
  assert.deepEqual(lc.Events, ['s3:ObjectCreated:*']);
  assert.deepEqual(lc.Filter.Key.FilterRules, [{ Name: 'prefix', Value: 'uploads/' }]);
  assert.equal(ref(lc.LambdaFunctionArn), fnId);
  template.hasResourceProperties('AWS::Lambda::Permission', {
    Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com',
    FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] }, SourceAccount: '123456789012',
  });

  const [, invoke] = only(ofType('AWS::Lambda::EventInvokeConfig'));
  assert.equal(invoke.Properties.MaximumRetryAttempts, 2);
  const dlq = ref(invoke.Properties.DestinationConfig.OnFailure.Destination);
  assert.equal(all[dlq].Type, 'AWS::SQS::Queue');
});

test('IAM least privilege: the Lambda reads (and purges replaced) uploads/*, writes compressed/*, nothing else', () => {
  const st = s3Statements('CompressorRole');
  const allowed = (action: string) => st.filter((s) => s.actions.includes(action)).flatMap((s) => s.resources);
  assert.deepEqual(allowed('s3:GetObject').sort(), [`${B}/compressed/*`, `${B}/uploads/*`]);
  assert.deepEqual(allowed('s3:PutObject'), [`${B}/compressed/*`], 'writes only derivatives');
  assert.deepEqual(allowed('s3:DeleteObject').sort(), [`${B}/compressed/*`, `${B}/uploads/*`]);
  const list = st.find((s) => s.actions.includes('s3:ListBucket'))!;
  assert.deepEqual(list.resources, [B]);
  assert.deepEqual(list.condition, { StringLike: { 's3:prefix': ['uploads/*', 'compressed/*'] } });
  const every = new Set(st.flatMap((s) => s.actions));
  assert.deepEqual(every, new Set(['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:ListBucket']));
  for (const s of st) for (const r of s.resources) assert.ok(!r.includes('backups'), 'no access to backups/');
  // Beyond S3: only the dead-letter queue and the AWS-managed VPC/logs policy.
  const [roleId, role] = byPrefix('AWS::IAM::Role', 'CompressorRole');
  assert.equal(role.Properties.ManagedPolicyArns.length, 1);
  assert.match(JSON.stringify(role.Properties.ManagedPolicyArns), /AWSLambdaVPCAccessExecutionRole/);
  const other = Object.values(ofType('AWS::IAM::Policy')).filter((p) => p.Properties.Roles.some((r: any) => ref(r) === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement).flatMap((s: any) => [].concat(s.Action)).filter((a: string) => !a.startsWith('s3:'));
  assert.deepEqual(new Set(other.map((a: string) => a.split(':')[0])), new Set(['sqs']));
});

test('IAM least privilege: the app works on its own prefixes (uploads/, compressed/, backups/, pdfs/), workers like the Lambda plus pdfs/', () => {
  const app = s3Statements('AppTaskRole');
  for (const s of app) {
    for (const r of s.resources) assert.match(r, new RegExp(`^${B.replace(/[.<>]/g, '\\$&')}(/(uploads|compressed|backups|pdfs)/\\*)?$`));
    for (const a of s.actions) assert.ok(!a.includes('*'), `${a}: no wildcard actions`);
  }
  assert.deepEqual(app.find((s) => s.actions.includes('s3:ListBucket'))!.condition,
    { StringLike: { 's3:prefix': ['uploads/*', 'compressed/*', 'backups/*', 'pdfs/*'] } });
  assert.ok(app.some((s) => s.actions.includes('s3:PutObject') && s.resources.includes(`${B}/backups/*`)), 'backups can be written');
  const worker = s3Statements('WorkerTaskRole');
  const compressor = s3Statements('CompressorRole');
  // The worker also runs the yearbook PDF jobs: the Lambda's statements plus pdfs/, nothing else.
  const notList = (ss: typeof worker) => ss.filter((s) => !s.actions.includes('s3:ListBucket'));
  assert.deepEqual(notList(worker).filter((s) => !s.resources.includes(`${B}/pdfs/*`)), notList(compressor));
  assert.deepEqual(worker.find((s) => s.resources.includes(`${B}/pdfs/*`))!.actions.sort(), ['s3:DeleteObject', 's3:GetObject', 's3:PutObject']);
  assert.deepEqual(worker.find((s) => s.actions.includes('s3:ListBucket'))!.condition,
    { StringLike: { 's3:prefix': ['uploads/*', 'compressed/*', 'pdfs/*'] } });
  // No role anywhere in the stack may touch the whole photo bucket.
  for (const p of Object.values(ofType('AWS::IAM::Policy'))) {
    for (const s of p.Properties.PolicyDocument.Statement) {
      const res = JSON.stringify(s.Resource ?? '');
      assert.ok(!/PhotosBucket[A-Z0-9]+","Arn"\]\},"\/\*"/.test(res), `whole-bucket access in ${JSON.stringify(s)}`);
      assert.ok(!([] as string[]).concat(s.Action).includes('s3:*'));
    }
  }
});

test('CloudWatch alarms: ALB 5xx rate, p99 latency, queue depth, DB CPU, replica lag, Lambda errors — each notifies the alarm topic', () => {
  const alarms = Object.entries(ofType('AWS::CloudWatch::Alarm'));
  // A single-metric alarm, in either of CloudFormation's two shapes (plain, or one MetricStat).
  const find = (idPrefix: string) => {
    const a = alarms.find(([id]) => id.startsWith(idPrefix));
    assert.ok(a, idPrefix);
    const p = a![1].Properties;
    if (p.Metrics?.length === 1 && p.Metrics[0].MetricStat) {
      const ms = p.Metrics[0].MetricStat;
      return { ...p, ...ms.Metric, ...(ms.Stat.startsWith('p') ? { ExtendedStatistic: ms.Stat } : { Statistic: ms.Stat }) };
    }
    return p;
  };
  const [topicId] = only(ofType('AWS::SNS::Topic'));
  for (const [id, a] of alarms) {
    assert.deepEqual(a.Properties.AlarmActions.map(ref), [topicId], id);
  }
  const rate = find('Alb5xxRateAlarm');
  const expr = rate.Metrics.find((m: any) => m.Expression).Expression;
  assert.match(expr, /elb5/); assert.match(expr, /tgt5/); assert.match(expr, /\/ req/);
  const names = rate.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Metric.MetricName).sort();
  assert.deepEqual(names, ['HTTPCode_ELB_5XX_Count', 'HTTPCode_Target_5XX_Count', 'RequestCount']);
  const p99 = find('P99LatencyAlarm');
  assert.equal(p99.MetricName, 'TargetResponseTime'); assert.equal(p99.ExtendedStatistic, 'p99');
  const q = find('QueueDepthAlarm');
  assert.deepEqual([q.Namespace, q.MetricName, q.Dimensions], [QUEUE_DEPTH_NAMESPACE, QUEUE_DEPTH_METRIC, [{ Name: 'status', Value: 'queued' }]]);
  const cpu = find('DbCpuAlarm');
  assert.deepEqual([cpu.Namespace, cpu.MetricName, cpu.Dimensions[0].Name], ['AWS/RDS', 'CPUUtilization', 'DBClusterIdentifier']);
  const lag = find('ReplicaLagAlarm');
  assert.deepEqual([lag.Namespace, lag.MetricName], ['AWS/RDS', 'AuroraReplicaLagMaximum']);
  const errors = find('LambdaErrorsAlarm');
  assert.deepEqual([errors.Namespace, errors.MetricName], ['AWS/Lambda', 'Errors']);
  assert.equal(ref(errors.Dimensions[0].Value), byPrefix('AWS::Lambda::Function', 'Compressor')[0]);
  // The queue-depth metric exists: a sidecar scrapes /metrics for it.
  const agent = containers('AppTask').find((c) => c.Name === 'metrics');
  const cfg = JSON.parse(text(envOf(agent).CW_CONFIG_CONTENT));
  const emf = cfg.logs.metrics_collected.prometheus.emf_processor;
  assert.equal(emf.metric_namespace, QUEUE_DEPTH_NAMESPACE);
  assert.deepEqual(emf.metric_declaration[0].metric_selectors, [`^${QUEUE_DEPTH_METRIC}$`]);
  assert.match(text(envOf(agent).PROMETHEUS_CONFIG_CONTENT), new RegExp(`localhost:${APP_PORT}`));
});

test('CloudWatch dashboard: requests, latency, queue depth, database and Lambda on one page', () => {
  const [, dash] = only(ofType('AWS::CloudWatch::Dashboard'));
  const body = JSON.stringify(dash.Properties.DashboardBody);
  for (const m of ['RequestCount', 'TargetResponseTime', QUEUE_DEPTH_METRIC, 'CPUUtilization', 'AuroraReplicaLagMaximum', 'Errors', 'Invocations', 'ApproximateNumberOfMessagesVisible']) {
    assert.ok(body.includes(m), m);
  }
});

test('Commands: the app runs `schoolyard serve`, workers `schoolyard worker`; `migrate` and a nightly `backup` as tasks', () => {
  const cmd = (prefix: string, name: string) => {
    const c = containers(prefix).find((x) => x.Name === name);
    return [...c.EntryPoint, ...c.Command].join(' ');
  };
  assert.equal(cmd('AppTask', 'app'), '/usr/local/bin/schoolyard serve');
  assert.equal(cmd('WorkerTask', 'worker'), '/usr/local/bin/schoolyard worker');
  assert.equal(cmd('MigrateTask', 'migrate'), '/usr/local/bin/schoolyard migrate');
  assert.equal(cmd('BackupTask', 'backup'), '/usr/local/bin/schoolyard backup');
  const [, rule] = only(ofType('AWS::Events::Rule'));
  assert.match(rule.Properties.ScheduleExpression, /^cron\(/);
  assert.equal(ref(rule.Properties.Targets[0].EcsParameters.TaskDefinitionArn), byPrefix('AWS::ECS::TaskDefinition', 'BackupTask')[0]);
  const app = containers('AppTask').find((c) => c.Name === 'app');
  assert.match(app.HealthCheck.Command.join(' '), /\/healthz/);
  assert.deepEqual(app.PortMappings.map((p: any) => p.ContainerPort), [APP_PORT]);
});

test('Upgrade: migrations first, then roll — the migrate task can run the new image while the services keep the old one', () => {
  const image = (t: any, prefix: string) => JSON.stringify(resources(t, 'AWS::ECS::TaskDefinition')[
    Object.keys(resources(t, 'AWS::ECS::TaskDefinition')).find((k) => k.startsWith(prefix))!].Properties.ContainerDefinitions[0].Image);
  const staged = build({ ...PROPS, imageTag: 'v1', migrateImageTag: 'v2' }).template;
  assert.match(image(staged, 'MigrateTask'), /:v2"/);
  for (const p of ['AppTask', 'WorkerTask', 'BackupTask']) assert.match(image(staged, p), /:v1"/, p);
  // Without a separate tag every task runs the same image.
  assert.match(image(template, 'MigrateTask'), /:test"/);
  // The services never migrate on their own.
  const [, svc] = byPrefix('AWS::ECS::Service', 'AppService');
  assert.equal(svc.Properties.DeploymentConfiguration.MinimumHealthyPercent, 100, 'rolling: old tasks serve until new ones are healthy');
  assert.equal(svc.Properties.DeploymentConfiguration.DeploymentCircuitBreaker.Rollback, true);
});

test('Configuration: app, worker and Lambda get only documented SCHOOLYARD_* variables, the contract URLs, and equal compressor settings', () => {
  // docs/configuration.md's table is the documented surface (CONTRACT.md's table is a subset of it).
  const doc = fs.readFileSync(path.resolve(__dirname, '../../../../docs/configuration.md'), 'utf8');
  const documented = new Set([...doc.matchAll(/^\| `(SCHOOLYARD_[A-Z_]+)`(?: \/ `(SCHOOLYARD_[A-Z_]+)`)?/gm)].flatMap((m) => [m[1], m[2]]).filter(Boolean));
  assert.ok(documented.has('SCHOOLYARD_DB_URL') && documented.size > 15, 'parsed docs/configuration.md');
  const app = envOf(containers('AppTask').find((c) => c.Name === 'app'));
  const worker = envOf(containers('WorkerTask')[0]);
  const [, fn] = byPrefix('AWS::Lambda::Function', 'Compressor');
  const lambda = fn.Properties.Environment.Variables;
  for (const [who, env] of Object.entries({ app, worker, lambda, migrate: envOf(containers('MigrateTask')[0]), backup: envOf(containers('BackupTask')[0]) })) {
    for (const k of Object.keys(env)) assert.ok(documented.has(k), `${who}: ${k} is not a documented setting`);
    for (const k of ['SCHOOLYARD_DB_URL', 'SCHOOLYARD_STORAGE_URL']) assert.ok(k in env, `${who}: ${k}`);
    assert.match(JSON.stringify(env.SCHOOLYARD_STORAGE_URL), /s3:\/\/.*\?region=eu-west-1/);
    assert.equal(env.SCHOOLYARD_AUTO_MIGRATE, '0', `${who}: migrations run once per release`);
    for (const [k, v] of Object.entries(IMAGING_ENV)) assert.equal(env[k], v, `${who}: ${k}`);
  }
  assert.ok('SCHOOLYARD_DB_READ_URL' in app, 'the app reads lag-tolerant lists from the reader');
  assert.equal(app.SCHOOLYARD_HOST, '0.0.0.0');
  assert.equal(app.SCHOOLYARD_PORT, String(APP_PORT));
  assert.equal(app.SCHOOLYARD_WORKERS, '0');
  assert.ok(app.SCHOOLYARD_TRUSTED_PROXIES, 'client addresses believed from the ALB');
  assert.match(JSON.stringify(lambda.SCHOOLYARD_DB_URL), /resolve:secretsmanager/);
});

test('Entry point: `cdk synth` builds the stack from -c context (cdk-nag on) and names any missing setting', () => {
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
  const os = require('node:os') as typeof import('node:os');
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-out-'));
  const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8'));
  const context: Record<string, string> = {
    certificateArn: PROPS.certificateArn, imageRepository: 'schoolyard', imageTag: 'v1',
    lambdaCodeBucket: 'artifacts', lambdaCodeKey: 'schoolyard-lambda.zip', lambdaCodeVersion: 'v1',
    resultsDay: '06-01',
  };
  const synth = (ctx: Record<string, string>) => spawnSync(process.execPath, [path.join(__dirname, '..', 'bin', 'schoolyard.js')], {
    // What the CDK CLI hands an app: cdk.json's context plus -c values as JSON, an output directory.
    env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ ...cdkJson.context, ...ctx }), CDK_OUTDIR: outdir, CDK_DEFAULT_ACCOUNT: '123456789012', CDK_DEFAULT_REGION: 'eu-west-1' },
    encoding: 'utf8',
  });
  try {
    const ok = synth(context);
    assert.equal(ok.status, 0, ok.stderr.split('\n').filter((l) => !l.startsWith('"use strict"')).join('\n'));
    const t = JSON.parse(fs.readFileSync(path.join(outdir, 'Schoolyard.template.json'), 'utf8'));
    assert.ok(Object.values(t.Resources).some((r: any) => r.Type === 'AWS::RDS::DBCluster'));
    assert.match(JSON.stringify(t), /cron\(0 18 31 5 \? \*\)/, 'resultsDay=06-01 scales up on 31 May');
    // cdk-nag ran (its report) and left no error for the CLI to fail on.
    assert.ok(fs.readdirSync(outdir).some((f) => /^AwsSolutions-.*Schoolyard-NagReport\.csv$/.test(f)), 'cdk-nag report');
    assert.doesNotMatch(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'), /aws:cdk:error/);
    const { imageTag: _, ...missing } = context;
    const bad = synth(missing);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /missing context: -c imageTag=/);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
});

test('cdk-nag AwsSolutions: no unsuppressed errors or warnings', () => {
  const anns = Annotations.fromStack(stack);
  const errs = anns.findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
  const warns = anns.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'));
  const show = (xs: any[]) => xs.map((x) => `${x.id}: ${String(x.entry.data).split(':')[0]}`).join('\n');
  assert.equal(errs.length, 0, show(errs));
  assert.equal(warns.length, 0, show(warns));
  // And the CDK itself has nothing to warn about.
  assert.equal(anns.findWarning('*', Match.anyValue()).length, 0, show(anns.findWarning('*', Match.anyValue())));
});

test('cdk-nag suppressions: every one is an expected rule, with a specific reason', () => {
  // Each suppression is listed here on purpose: a new one fails this test until it is reviewed.
  const expected = new Set(['AwsSolutions-S1', 'AwsSolutions-EC23', 'AwsSolutions-RDS11', 'AwsSolutions-RDS16', 'AwsSolutions-SMG4',
    'AwsSolutions-IAM4', 'AwsSolutions-IAM5', 'AwsSolutions-ECS2', 'AwsSolutions-SQS3']);
  const reasons = new Map<string, Set<string>>();
  let count = 0;
  for (const [id, r] of Object.entries(template.toJSON().Resources as Resources)) {
    for (const s of r.Metadata?.cdk_nag?.rules_to_suppress ?? []) {
      count++;
      assert.ok(expected.has(s.id), `${id}: unexpected suppression ${s.id}`);
      assert.ok(typeof s.reason === 'string' && s.reason.length >= 80, `${id}/${s.id}: reason too short: ${s.reason}`);
      if (s.id === 'AwsSolutions-IAM5' || s.id === 'AwsSolutions-IAM4') {
        assert.ok(s.applies_to?.length, `${id}/${s.id}: a wildcard suppression must name the exact findings (appliesTo)`);
      }
      if (!reasons.has(s.id)) reasons.set(s.id, new Set());
      reasons.get(s.id)!.add(s.reason);
    }
  }
  assert.ok(count > 0);
  assert.deepEqual(new Set(reasons.keys()), expected, 'every listed suppression is still needed');
  // Every IAM5 suppression names the findings it covers (no blanket wildcards).
  const applies = Object.values(template.toJSON().Resources as Resources).flatMap((r) => r.Metadata?.cdk_nag?.rules_to_suppress ?? [])
    .filter((s: any) => s.id === 'AwsSolutions-IAM5').flatMap((s: any) => s.applies_to);
  for (const a of applies) assert.ok(typeof a === 'string' ? a.startsWith('Resource::') : /Resource::/.test(a.regex), JSON.stringify(a));
});
