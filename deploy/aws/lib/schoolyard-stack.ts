// Schoolyard on AWS: the seed's distributed design (docs/deployment.md, docs/deploy-lambda.md) as
// one CloudFormation stack. Every setting handed to the binary uses the variable names of
// CONTRACT.md / docs/configuration.md; nothing here is specific to AWS inside the app.
import {
  CfnOutput, Duration, RemovalPolicy, SecretValue, Stack, StackProps, Tags,
  aws_applicationautoscaling as appscaling,
  aws_cloudwatch as cw,
  aws_cloudwatch_actions as cwActions,
  aws_ec2 as ec2,
  aws_ecr as ecr,
  aws_ecs as ecs,
  aws_elasticloadbalancingv2 as elbv2,
  aws_events as events,
  aws_events_targets as eventsTargets,
  aws_iam as iam,
  aws_kms as kms,
  aws_lambda as lambda,
  aws_lambda_destinations as destinations,
  aws_logs as logs,
  aws_rds as rds,
  aws_s3 as s3,
  aws_s3_notifications as s3n,
  aws_secretsmanager as secretsmanager,
  aws_sns as sns,
  aws_sns_subscriptions as subs,
  aws_sqs as sqs,
} from 'aws-cdk-lib';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';

/** When the school's results come out: the app and workers are scaled up the day before. */
export interface ResultsDay {
  /** 1-12 */ readonly month: number;
  /** 1-31 */ readonly day: number;
}

export interface SchoolyardStackProps extends StackProps {
  /** ACM certificate for the HTTPS listener (same region as the stack). */
  readonly certificateArn: string;
  /** ECR repository holding the image built from deploy/compose/Dockerfile, and its tag. */
  readonly imageRepositoryName: string;
  readonly imageTag: string;
  /** Image tag for the migrate task only: an upgrade runs the new migrations before the app rolls. */
  readonly migrateImageTag?: string;
  /** S3 location of schoolyard-lambda.zip as docs/deploy-lambda.md packages it. */
  readonly lambdaCodeBucket: string;
  readonly lambdaCodeKey: string;
  /** S3 object version of that zip, so that `cdk deploy` notices a new upload under the same key. */
  readonly lambdaCodeVersion?: string;
  /** CloudWatch agent image for the Prometheus sidecar (pin a version in production). */
  readonly cloudWatchAgentImage?: string;
  /** Receives alarm notifications (optional; subscribe later otherwise). */
  readonly alarmEmail?: string;
  /** Two AZ names; defaults to the region's first two. */
  readonly availabilityZones?: string[];
  /** NAT gateways (1 = cheapest; 2 = no single-AZ egress dependency). */
  readonly natGateways?: number;
  readonly dbInstanceType?: ec2.InstanceType;
  readonly appMinTasks?: number;
  readonly appMaxTasks?: number;
  readonly resultsDay?: ResultsDay;
}

export const APP_PORT = 8080;
export const DB_PORT = 3306;
export const DB_NAME = 'schoolyard';
export const DB_USER = 'schoolyard';
// Percent-encoding a password inside SCHOOLYARD_DB_URL would need a template function that
// CloudFormation does not have, so the generated password avoids every character that is not
// URL-safe as it stands.
const URL_UNSAFE = ' !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/** The compressor settings must be equal wherever a job can run (app, worker, Lambda). */
export const IMAGING_ENV: Record<string, string> = {
  SCHOOLYARD_MAX_PIXELS: '120000000',
  SCHOOLYARD_JPEG_MAX_EDGE: '1600',
  SCHOOLYARD_JPEG_QUALITY: '80',
  SCHOOLYARD_WEBP_QUALITY: '75',
  SCHOOLYARD_THUMB_MAX_EDGE: '320',
  SCHOOLYARD_JOB_TIMEOUT_SECONDS: '60',
  // Longer than the Lambda timeout (90 s) so a killed invocation's lease outlives it.
  SCHOOLYARD_JOB_LEASE_SECONDS: '120',
  SCHOOLYARD_JOB_MAX_ATTEMPTS: '5',
};

export const QUEUE_DEPTH_NAMESPACE = 'Schoolyard';
export const QUEUE_DEPTH_METRIC = 'schoolyard_job_queue_depth';

export class SchoolyardStack extends Stack {
  readonly bucket: s3.Bucket;
  readonly vpc: ec2.Vpc;
  readonly cluster: rds.DatabaseCluster;
  readonly compressor: lambda.Function;
  readonly alb: elbv2.ApplicationLoadBalancer;
  readonly appService: ecs.FargateService;
  readonly workerService: ecs.FargateService;
  private readonly azs?: string[];

  constructor(scope: Construct, id: string, props: SchoolyardStackProps) {
    super(scope, id, props);
    this.azs = props.availabilityZones;
    Tags.of(this).add('app', 'schoolyard');

    // ---------------------------------------------------------------- logs bucket
    const logBucket = new s3.Bucket(this, 'LogBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED, // ALB and S3 access logs require SSE-S3
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-logs', expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    NagSuppressions.addResourceSuppressions(logBucket, [{
      id: 'AwsSolutions-S1',
      reason: 'This bucket receives the server access logs of the photo bucket, the ALB logs and VPC flow logs; logging it into itself would recurse, and a second log bucket would only move the question.',
    }]);

    // ---------------------------------------------------------------- network
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'),
      maxAzs: 2,
      natGateways: props.natGateways ?? 1,
      subnetConfiguration: [
        // Only the ALB (and the NAT gateway) lives here.
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        // App and worker tasks, the Lambda function: outbound only (ECR, Secrets Manager, logs).
        { name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
        // Aurora: no route out at all.
        { name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      // S3 without NAT charges, from every subnet (docs/deploy-lambda.md).
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
      flowLogs: {
        all: { destination: ec2.FlowLogDestination.toS3(logBucket, 'vpc-flow-logs/'), trafficType: ec2.FlowLogTrafficType.ALL },
      },
    });
    const appSubnets: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };

    const albSg = new ec2.SecurityGroup(this, 'AlbSg', { vpc: this.vpc, description: 'ALB: HTTPS from the internet', allowAllOutbound: false });
    albSg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS from anywhere');
    const appSg = new ec2.SecurityGroup(this, 'AppSg', { vpc: this.vpc, description: 'schoolyard serve: only from the ALB', allowAllOutbound: true });
    const workerSg = new ec2.SecurityGroup(this, 'WorkerSg', { vpc: this.vpc, description: 'schoolyard worker: no inbound', allowAllOutbound: true });
    const lambdaSg = new ec2.SecurityGroup(this, 'LambdaSg', { vpc: this.vpc, description: 'schoolyard lambda: no inbound', allowAllOutbound: false });
    const dbSg = new ec2.SecurityGroup(this, 'DbSg', { vpc: this.vpc, description: 'Aurora: only from app, workers and Lambda', allowAllOutbound: false });
    for (const [sg, who] of [[appSg, 'app'], [workerSg, 'workers'], [lambdaSg, 'Lambda']] as const) {
      dbSg.addIngressRule(sg, ec2.Port.tcp(DB_PORT), `MySQL from ${who}`);
    }
    lambdaSg.addEgressRule(dbSg, ec2.Port.tcp(DB_PORT), 'MySQL to Aurora');
    lambdaSg.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'S3 (gateway endpoint) over HTTPS');
    NagSuppressions.addResourceSuppressions(albSg, [{
      id: 'AwsSolutions-EC23',
      reason: 'The public load balancer must accept HTTPS from any student or parent; the only open port is 443 and the app behind it is reachable from this group alone.',
    }]);

    // ---------------------------------------------------------------- object store
    this.bucket = new s3.Bucket(this, 'PhotosBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: logBucket,
      serverAccessLogsPrefix: 'photos-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          // `schoolyard backup` keeps SCHOOLYARD_BACKUP_KEEP backups and deletes the rest itself; what
          // it deletes stays as a noncurrent version for 30 days (an operator's undo), older backups
          // go to cheaper storage. No age-based expiry: object copies under backups/objects/ are
          // written once and shared by every later backup, so their age says nothing about use.
          id: 'backups',
          prefix: 'backups/',
          transitions: [{ storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) }],
          noncurrentVersionExpiration: Duration.days(30),
        },
        { id: 'photos-noncurrent', prefix: 'uploads/', noncurrentVersionExpiration: Duration.days(30) },
        { id: 'derivatives-noncurrent', prefix: 'compressed/', noncurrentVersionExpiration: Duration.days(7) },
        { id: 'abort-multipart', abortIncompleteMultipartUploadAfter: Duration.days(2) },
      ],
    });
    const storageUrl = `s3://${this.bucket.bucketName}?region=${this.region}`;

    // ---------------------------------------------------------------- database
    const dbInstanceType = props.dbInstanceType ?? ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MEDIUM);
    // `schoolyard` for the default stack; a second stack (a restore drill) gets its own.
    const clusterIdentifier = this.stackName.toLowerCase().replace(/[^a-z0-9-]/g, '-');
    const dbLogGroups = ['audit', 'error', 'slowquery'].map((kind) => new logs.LogGroup(this, `DbLog-${kind}`, {
      logGroupName: `/aws/rds/cluster/${clusterIdentifier}/${kind}`,
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    }));
    const params = new rds.ParameterGroup(this, 'DbClusterParams', {
      engine: rds.DatabaseClusterEngine.auroraMysql({ version: rds.AuroraMysqlEngineVersion.VER_3_10_3 }),
      parameters: {
        server_audit_logging: '1',
        server_audit_events: 'CONNECT,QUERY_DCL,QUERY_DDL',
        slow_query_log: '1',
        long_query_time: '1',
        require_secure_transport: 'OFF', // the app's MySQL client does not force TLS; traffic stays inside the VPC
      },
    });
    this.cluster = new rds.DatabaseCluster(this, 'Database', {
      clusterIdentifier,
      engine: rds.DatabaseClusterEngine.auroraMysql({ version: rds.AuroraMysqlEngineVersion.VER_3_10_3 }),
      parameterGroup: params,
      credentials: rds.Credentials.fromGeneratedSecret(DB_USER, { excludeCharacters: URL_UNSAFE }),
      defaultDatabaseName: DB_NAME,
      port: DB_PORT,
      writer: rds.ClusterInstance.provisioned('writer', {
        instanceType: dbInstanceType,
        availabilityZone: this.availabilityZones[0],
        publiclyAccessible: false,
        autoMinorVersionUpgrade: true,
      }),
      readers: [rds.ClusterInstance.provisioned('reader', {
        instanceType: dbInstanceType,
        availabilityZone: this.availabilityZones[1],
        publiclyAccessible: false,
        autoMinorVersionUpgrade: true,
        promotionTier: 1, // the failover target
      })],
      vpc: this.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [dbSg],
      storageEncrypted: true,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.SNAPSHOT,
      backup: { retention: Duration.days(14), preferredWindow: '00:30-01:30' },
      preferredMaintenanceWindow: 'sun:02:00-sun:03:00',
      backtrackWindow: Duration.hours(24),
      iamAuthentication: true,
      cloudwatchLogsExports: ['audit', 'error', 'slowquery'],
      copyTagsToSnapshot: true,
    });
    for (const g of dbLogGroups) this.cluster.node.addDependency(g);
    const masterSecret = this.cluster.secret!;

    // SCHOOLYARD_DB_URL / _READ_URL are single URLs (CONTRACT.md). They are composed once here,
    // from a dynamic reference to the generated password, into secrets of their own: ECS injects
    // them into the containers, and they never appear in the template or a task definition.
    const password = masterSecret.secretValueFromJson('password').unsafeUnwrap();
    const dbUrlSecret = new secretsmanager.Secret(this, 'DbUrlSecret', {
      description: 'SCHOOLYARD_DB_URL (Aurora writer endpoint)',
      secretStringValue: SecretValue.unsafePlainText(
        `mysql://${DB_USER}:${password}@${this.cluster.clusterEndpoint.hostname}:${DB_PORT}/${DB_NAME}`),
    });
    const dbReadUrlSecret = new secretsmanager.Secret(this, 'DbReadUrlSecret', {
      description: 'SCHOOLYARD_DB_READ_URL (Aurora reader endpoint)',
      secretStringValue: SecretValue.unsafePlainText(
        `mysql://${DB_USER}:${password}@${this.cluster.clusterReadEndpoint.hostname}:${DB_PORT}/${DB_NAME}`),
    });
    const rotationReason = 'The app reads one connection URL (SCHOOLYARD_DB_URL, CONTRACT.md) composed at deploy time; automatic rotation of the master password would silently break it. Rotate by changing the password and re-deploying (docs/deploy-aws.md).';
    // (cluster.secret is the attachment; the generated secret is the cluster's child `Secret`.)
    for (const s of [this.cluster.node.findChild('Secret'), dbUrlSecret, dbReadUrlSecret]) {
      NagSuppressions.addResourceSuppressions(s, [{ id: 'AwsSolutions-SMG4', reason: rotationReason }], true);
    }
    NagSuppressions.addResourceSuppressions(this.cluster.node.defaultChild!, [
      { id: 'AwsSolutions-RDS11', reason: 'MySQL clients and docs assume 3306; a different port adds no protection because the database security group admits only the app, worker and Lambda groups, from isolated subnets.' },
      { id: 'AwsSolutions-RDS16', reason: 'The general log would record every statement (including password-hash writes) and cost more than the database; audit (connects, DDL, DCL), error and slow-query logs are exported.' },
    ]);

    // ---------------------------------------------------------------- IAM: least privilege
    const arn = (prefix: string) => this.bucket.arnForObjects(`${prefix}/*`);
    const s3Statements = (rw: Record<string, string[]>): iam.PolicyStatement[] => {
      const out = Object.entries(rw).map(([prefix, actions]) => new iam.PolicyStatement({
        sid: `Objects${prefix.replace(/[^a-z]/gi, '')}`, actions, resources: [arn(prefix)],
      }));
      out.push(new iam.PolicyStatement({
        sid: 'ListOwnPrefixes',
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': Object.keys(rw).map((p) => `${p}/*`) } },
      }));
      return out;
    };
    // The compressor (Lambda and `schoolyard worker`): read originals — and delete the one a newer
    // photo replaced (docs/deploy-lambda.md, IAM) — write derivatives. Nothing else.
    const compressorS3 = {
      uploads: ['s3:GetObject', 's3:DeleteObject'],
      compressed: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'],
    };
    // `schoolyard worker` also makes the printable yearbooks (job kind yearbook.pdf): it reads the
    // thumbnails (compressed/) and writes, and deletes when invalidated, pdfs/.
    const workerS3 = { ...compressorS3, pdfs: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'] };
    // `schoolyard serve`, `migrate`, `backup`: its own prefixes (pdfs/: serves the yearbook PDFs and
    // deletes them when consent is withdrawn or a photo or student is erased).
    const appS3 = {
      uploads: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
      compressed: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      backups: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
      pdfs: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
    };
    const prefixReason = 'Object actions are limited to the application prefixes of CONTRACT.md (uploads/, compressed/, backups/, pdfs/); the object keys below them are generated at run time, so a wildcard after the prefix is the narrowest possible resource.';
    const prefixFinding = { regex: '/^Resource::<PhotosBucket[A-Za-z0-9]+\\.Arn>\\/(uploads|compressed|backups|pdfs)\\/\\*$/' };

    // ---------------------------------------------------------------- ECS: app and workers
    const ecsCluster = new ecs.Cluster(this, 'Cluster', { vpc: this.vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    const repo = ecr.Repository.fromRepositoryName(this, 'ImageRepo', props.imageRepositoryName);
    const image = ecs.ContainerImage.fromEcrRepository(repo, props.imageTag);
    const appLogs = new logs.LogGroup(this, 'AppLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });

    const dbSecrets = {
      SCHOOLYARD_DB_URL: ecs.Secret.fromSecretsManager(dbUrlSecret),
    };
    const baseEnv: Record<string, string> = {
      SCHOOLYARD_STORAGE_URL: storageUrl,
      SCHOOLYARD_AUTO_MIGRATE: '0', // `schoolyard migrate` runs once per release (docs/deploy-aws.md)
      SCHOOLYARD_LOG_LEVEL: 'info',
      ...IMAGING_ENV,
    };

    const appRole = new iam.Role(this, 'AppTaskRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'), description: 'schoolyard serve / migrate / backup' });
    for (const st of s3Statements(appS3)) appRole.addToPolicy(st);
    const workerRole = new iam.Role(this, 'WorkerTaskRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'), description: 'schoolyard worker' });
    for (const st of s3Statements(workerS3)) workerRole.addToPolicy(st);

    const appTask = new ecs.FargateTaskDefinition(this, 'AppTask', { cpu: 1024, memoryLimitMiB: 2048, taskRole: appRole });
    appTask.addContainer('app', {
      image,
      entryPoint: ['/usr/local/bin/schoolyard'],
      command: ['serve'],
      essential: true,
      portMappings: [{ containerPort: APP_PORT }],
      environment: {
        ...baseEnv,
        SCHOOLYARD_HOST: '0.0.0.0',
        SCHOOLYARD_PORT: String(APP_PORT),
        SCHOOLYARD_WORKERS: '0', // compression runs in the worker service and Lambda
        SCHOOLYARD_MAX_UPLOAD_MB: '25',
        // X-Forwarded-For / -Proto are believed from the ALB only (its addresses are in the VPC).
        SCHOOLYARD_TRUSTED_PROXIES: this.vpc.vpcCidrBlock,
      },
      secrets: { ...dbSecrets, SCHOOLYARD_DB_READ_URL: ecs.Secret.fromSecretsManager(dbReadUrlSecret) },
      logging: ecs.LogDrivers.awsLogs({ logGroup: appLogs, streamPrefix: 'app' }),
      healthCheck: {
        command: ['CMD-SHELL', `curl -fsS http://127.0.0.1:${APP_PORT}/healthz >/dev/null || exit 1`],
        interval: Duration.seconds(15), timeout: Duration.seconds(5), retries: 3, startPeriod: Duration.seconds(30),
      },
      stopTimeout: Duration.seconds(30), // the app drains in 10 s
    });

    // Queue depth as a CloudWatch metric: a CloudWatch agent sidecar scrapes the app's /metrics
    // (schoolyard_job_queue_depth{status=…}, read from the database) and writes it as EMF.
    const promLogs = new logs.LogGroup(this, 'PrometheusLogs', { retention: logs.RetentionDays.ONE_WEEK, removalPolicy: RemovalPolicy.DESTROY });
    promLogs.grant(appRole, 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams');
    appTask.addContainer('metrics', {
      image: ecs.ContainerImage.fromRegistry(props.cloudWatchAgentImage ?? 'public.ecr.aws/cloudwatch-agent/cloudwatch-agent:latest'),
      essential: false,
      cpu: 64,
      memoryReservationMiB: 128,
      logging: ecs.LogDrivers.awsLogs({ logGroup: appLogs, streamPrefix: 'metrics' }),
      environment: {
        PROMETHEUS_CONFIG_CONTENT: [
          'global: {scrape_interval: 1m, scrape_timeout: 10s}',
          'scrape_configs:',
          '  - job_name: schoolyard',
          `    static_configs: [{targets: ["localhost:${APP_PORT}"]}]`,
        ].join('\n'),
        CW_CONFIG_CONTENT: JSON.stringify({
          agent: { region: this.region },
          logs: {
            force_flush_interval: 5,
            metrics_collected: {
              prometheus: {
                log_group_name: promLogs.logGroupName,
                prometheus_config_path: 'env:PROMETHEUS_CONFIG_CONTENT',
                emf_processor: {
                  metric_namespace: QUEUE_DEPTH_NAMESPACE,
                  metric_declaration: [{
                    source_labels: ['job'], label_matcher: '^schoolyard$',
                    dimensions: [['status']], metric_selectors: [`^${QUEUE_DEPTH_METRIC}$`],
                  }],
                },
              },
            },
          },
        }),
      },
    });

    // One vCPU: a steady trickle and the sweeper; bursts go to Lambda and to more worker tasks.
    const workerTask = new ecs.FargateTaskDefinition(this, 'WorkerTask', { cpu: 1024, memoryLimitMiB: 2048, taskRole: workerRole });
    workerTask.addContainer('worker', {
      image,
      entryPoint: ['/usr/local/bin/schoolyard'],
      command: ['worker'],
      essential: true,
      environment: baseEnv,
      secrets: dbSecrets,
      logging: ecs.LogDrivers.awsLogs({ logGroup: appLogs, streamPrefix: 'worker' }),
      stopTimeout: Duration.seconds(60), // finish or release the current job
    });

    // One-off and scheduled tasks with the app's role and network: migrations, backups.
    const oneOff = (id: string, command: string[], taskImage: ecs.ContainerImage) => {
      const td = new ecs.FargateTaskDefinition(this, id, { cpu: 512, memoryLimitMiB: 1024, taskRole: appRole });
      td.addContainer(command[0], {
        image: taskImage, entryPoint: ['/usr/local/bin/schoolyard'], command, essential: true,
        environment: baseEnv, secrets: dbSecrets,
        logging: ecs.LogDrivers.awsLogs({ logGroup: appLogs, streamPrefix: command[0] }),
      });
      return td;
    };
    const migrateTask = oneOff('MigrateTask', ['migrate'],
      props.migrateImageTag ? ecs.ContainerImage.fromEcrRepository(repo, props.migrateImageTag) : image);
    const backupTask = oneOff('BackupTask', ['backup'], image);
    new events.Rule(this, 'NightlyBackup', {
      description: 'schoolyard backup: database dump + object manifest under backups/',
      schedule: events.Schedule.cron({ minute: '30', hour: '2' }),
      targets: [new eventsTargets.EcsTask({
        cluster: ecsCluster, taskDefinition: backupTask, subnetSelection: appSubnets, securityGroups: [appSg],
      })],
    });
    NagSuppressions.addResourceSuppressions(backupTask.node.findChild('EventsRole'), [{
      id: 'AwsSolutions-IAM5',
      appliesTo: [{ regex: '/^Resource::arn:<AWS::Partition>:ecs:[a-z0-9-]+:\\*:task\\/<Cluster[A-Z0-9]+>\\/\\*$/' }],
      reason: 'EventBridge may tag the backup task it starts; the task id is only known at run time, so the resource is every task of this one cluster (granted by aws-events-targets).',
    }], true);

    const ecsEnvReason = 'Only non-secret settings (CONTRACT.md / docs/configuration.md variables: storage URL, ports, compressor settings) are plain environment variables; both database URLs, which carry the password, come from Secrets Manager through `secrets`.';
    for (const td of [appTask, workerTask, migrateTask, backupTask]) {
      NagSuppressions.addResourceSuppressions(td, [{ id: 'AwsSolutions-ECS2', reason: ecsEnvReason }]);
    }

    this.appService = new ecs.FargateService(this, 'AppService', {
      cluster: ecsCluster, taskDefinition: appTask,
      desiredCount: props.appMinTasks ?? 2,
      minHealthyPercent: 100, maxHealthyPercent: 200,
      circuitBreaker: { rollback: true },
      securityGroups: [appSg], vpcSubnets: appSubnets, assignPublicIp: false,
      healthCheckGracePeriod: Duration.seconds(60),
    });
    this.workerService = new ecs.FargateService(this, 'WorkerService', {
      cluster: ecsCluster, taskDefinition: workerTask,
      desiredCount: 1, // also the sweeper for jobs a Lambda invocation left behind
      minHealthyPercent: 100, maxHealthyPercent: 200,
      circuitBreaker: { rollback: true },
      securityGroups: [workerSg], vpcSubnets: appSubnets, assignPublicIp: false,
    });

    // ---------------------------------------------------------------- load balancer
    this.alb = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc: this.vpc, internetFacing: true, securityGroup: albSg,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      dropInvalidHeaderFields: true,
      idleTimeout: Duration.seconds(120), // slow uploads from phones
    });
    this.alb.logAccessLogs(logBucket, 'alb');
    const listener = this.alb.addListener('Https', {
      port: 443, protocol: elbv2.ApplicationProtocol.HTTPS, open: false,
      certificates: [elbv2.ListenerCertificate.fromArn(props.certificateArn)],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
    });
    const targetGroup = listener.addTargets('App', {
      port: APP_PORT, protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [this.appService.loadBalancerTarget({ containerName: 'app', containerPort: APP_PORT })],
      healthCheck: {
        path: '/readyz', healthyHttpCodes: '200',
        interval: Duration.seconds(10), timeout: Duration.seconds(5),
        healthyThresholdCount: 2, unhealthyThresholdCount: 3,
      },
      deregistrationDelay: Duration.seconds(30), // docs/deployment.md: the app drains in 10 s
    });

    // ---------------------------------------------------------------- auto scaling
    const resultsDay = props.resultsDay ?? { month: 8, day: 13 };
    const shifted = (days: number) => {
      const d = new Date(Date.UTC(2001, resultsDay.month - 1, resultsDay.day + days));
      return { month: String(d.getUTCMonth() + 1), day: String(d.getUTCDate()) };
    };
    const appScaling = this.appService.autoScaleTaskCount({ minCapacity: props.appMinTasks ?? 2, maxCapacity: props.appMaxTasks ?? 12 });
    appScaling.scaleOnRequestCount('RequestsPerTarget', { targetGroup, requestsPerTarget: 600, scaleInCooldown: Duration.minutes(5), scaleOutCooldown: Duration.minutes(1) });
    appScaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 60, scaleInCooldown: Duration.minutes(5), scaleOutCooldown: Duration.minutes(1) });
    const workerScaling = this.workerService.autoScaleTaskCount({ minCapacity: 1, maxCapacity: 6 });
    workerScaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 70 });
    for (const [scaling, up, normal] of [[appScaling, 6, props.appMinTasks ?? 2], [workerScaling, 3, 1]] as const) {
      scaling.scaleOnSchedule('ResultsDayScaleUp', {
        schedule: appscaling.Schedule.cron({ ...shifted(-1), hour: '18', minute: '0' }), // the evening before
        minCapacity: up,
      });
      scaling.scaleOnSchedule('ResultsDayScaleDown', {
        schedule: appscaling.Schedule.cron({ ...shifted(1), hour: '6', minute: '0' }), // the morning after
        minCapacity: normal,
      });
    }

    // ---------------------------------------------------------------- Lambda compressor
    const dlq = new sqs.Queue(this, 'CompressorFailures', {
      encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14),
    });
    NagSuppressions.addResourceSuppressions(dlq, [{
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter (on-failure) destination of the compressor function; nothing consumes it automatically, an operator inspects it (the job is also dead-lettered in the database).',
    }]);
    const lambdaRole = new iam.Role(this, 'CompressorRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'schoolyard lambda: uploads/ in, compressed/ out',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole')],
    });
    for (const st of s3Statements(compressorS3)) lambdaRole.addToPolicy(st);
    const lambdaLogs = new logs.LogGroup(this, 'CompressorLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const codeBucket = s3.Bucket.fromBucketName(this, 'LambdaCodeBucket', props.lambdaCodeBucket);
    this.compressor = new lambda.Function(this, 'Compressor', {
      description: 'schoolyard lambda: compresses uploads/ originals into compressed/',
      runtime: lambda.Runtime.PROVIDED_AL2023,
      architecture: lambda.Architecture.X86_64,
      handler: 'schoolyard',
      code: lambda.Code.fromBucket(codeBucket, props.lambdaCodeKey, props.lambdaCodeVersion),
      memorySize: 1536,
      timeout: Duration.seconds(90), // SCHOOLYARD_JOB_TIMEOUT_SECONDS + 30 s
      reservedConcurrentExecutions: 10, // bounds Aurora connections (10 × pool of 2)
      role: lambdaRole,
      logGroup: lambdaLogs,
      vpc: this.vpc, vpcSubnets: appSubnets, securityGroups: [lambdaSg],
      retryAttempts: 2,
      onFailure: new destinations.SqsDestination(dlq),
      environment: {
        ...baseEnv,
        // Lambda has no secret injection: the URL is resolved from Secrets Manager at deploy time
        // into the (encrypted at rest) function configuration, as docs/deploy-lambda.md says.
        SCHOOLYARD_DB_URL: SecretValue.secretsManager(dbUrlSecret.secretArn).unsafeUnwrap(),
        SCHOOLYARD_DB_POOL_SIZE: '2',
      },
    });
    NagSuppressions.addResourceSuppressions(lambdaRole, [
      { id: 'AwsSolutions-IAM4', appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole'], reason: 'AWS-maintained minimum for a function in a VPC: create/delete its network interfaces and write its own logs. No data access.' },
      { id: 'AwsSolutions-IAM5', appliesTo: [prefixFinding], reason: prefixReason },
    ], true);
    for (const r of [appRole, workerRole]) {
      NagSuppressions.addResourceSuppressions(r, [{ id: 'AwsSolutions-IAM5', appliesTo: [prefixFinding], reason: prefixReason }], true);
    }
    this.bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(this.compressor), { prefix: 'uploads/' });

    // CDK's own helpers (ECR pull on the execution roles, the bucket-notification custom resource).
    for (const td of [appTask, workerTask, migrateTask, backupTask]) {
      NagSuppressions.addResourceSuppressions(td.obtainExecutionRole(), [{
        id: 'AwsSolutions-IAM5', appliesTo: ['Resource::*'],
        reason: 'ecr:GetAuthorizationToken has no resource-level permissions (IAM service authorization reference); image pulls themselves are limited to the one repository.',
      }], true);
    }
    NagSuppressions.addResourceSuppressionsByPath(this, `/${this.stackName}/BucketNotificationsHandler050a0587b7544547bf325f094a3db834/Role/Resource`, [
      { id: 'AwsSolutions-IAM4', appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'], reason: 'CDK-provided custom resource that sets the bucket notification at deploy time; it only writes its own logs.' },
      { id: 'AwsSolutions-IAM5', appliesTo: ['Resource::*'], reason: 'CDK-provided custom resource: s3:PutBucketNotification is granted on * by aws-cdk-lib (not configurable); it runs only during deployments.' },
    ]);

    // ---------------------------------------------------------------- alarms and dashboard
    const alarmKey = new kms.Key(this, 'AlarmTopicKey', { enableKeyRotation: true, description: 'Schoolyard alarm topic' });
    alarmKey.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    const topic = new sns.Topic(this, 'AlarmTopic', { masterKey: alarmKey, enforceSSL: true, displayName: 'Schoolyard alarms' });
    if (props.alarmEmail) topic.addSubscription(new subs.EmailSubscription(props.alarmEmail));
    const action = new cwActions.SnsAction(topic);
    const minute = Duration.minutes(1);

    const requests = this.alb.metrics.requestCount({ period: minute, statistic: 'Sum' });
    const elb5xx = this.alb.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period: minute, statistic: 'Sum' });
    const target5xx = this.alb.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: minute, statistic: 'Sum' });
    const errorRate = new cw.MathExpression({
      label: '5xx % of requests',
      expression: 'IF(req > 0, 100 * (FILL(elb5, 0) + FILL(tgt5, 0)) / req, 0)',
      usingMetrics: { req: requests, elb5: elb5xx, tgt5: target5xx },
      period: minute,
    });
    const p99 = this.alb.metrics.targetResponseTime({ period: minute, statistic: 'p99' });
    const queueDepth = (status: string) => new cw.Metric({
      namespace: QUEUE_DEPTH_NAMESPACE, metricName: QUEUE_DEPTH_METRIC, dimensionsMap: { status },
      statistic: 'Maximum', period: Duration.minutes(5), label: `jobs ${status}`,
    });
    const replicaLag = new cw.Metric({
      namespace: 'AWS/RDS', metricName: 'AuroraReplicaLagMaximum',
      dimensionsMap: { DBClusterIdentifier: this.cluster.clusterIdentifier },
      statistic: 'Maximum', period: minute,
    });
    const alarms: cw.Alarm[] = [
      new cw.Alarm(this, 'Alb5xxRateAlarm', {
        alarmDescription: 'More than 2 % of requests answered 5xx (ALB or app) in 3 of 5 minutes',
        metric: errorRate, threshold: 2, evaluationPeriods: 5, datapointsToAlarm: 3,
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD, treatMissingData: cw.TreatMissingData.NOT_BREACHING,
      }),
      new cw.Alarm(this, 'P99LatencyAlarm', {
        alarmDescription: 'p99 target response time above 2 s in 3 of 5 minutes',
        metric: p99, threshold: 2, evaluationPeriods: 5, datapointsToAlarm: 3,
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD, treatMissingData: cw.TreatMissingData.NOT_BREACHING,
      }),
      new cw.Alarm(this, 'QueueDepthAlarm', {
        alarmDescription: 'More than 300 photos waiting for compression for 15 minutes (workers or Lambda not keeping up)',
        metric: queueDepth('queued'), threshold: 300, evaluationPeriods: 3,
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD, treatMissingData: cw.TreatMissingData.BREACHING,
      }),
      new cw.Alarm(this, 'DeadJobsAlarm', {
        alarmDescription: 'Jobs dead-lettered in the database (schoolyard jobs list --dead)',
        metric: queueDepth('dead'), threshold: 0, evaluationPeriods: 1,
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD, treatMissingData: cw.TreatMissingData.NOT_BREACHING,
      }),
      new cw.Alarm(this, 'DbCpuAlarm', {
        alarmDescription: 'Aurora CPU above 80 % for 15 minutes',
        metric: this.cluster.metricCPUUtilization({ period: Duration.minutes(5), statistic: 'Average' }),
        threshold: 80, evaluationPeriods: 3, comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      }),
      new cw.Alarm(this, 'ReplicaLagAlarm', {
        alarmDescription: 'Aurora reader more than 2 s behind the writer for 5 minutes (SCHOOLYARD_DB_READ_URL reads stale)',
        metric: replicaLag, threshold: 2000, evaluationPeriods: 5,
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD, treatMissingData: cw.TreatMissingData.NOT_BREACHING,
      }),
      new cw.Alarm(this, 'LambdaErrorsAlarm', {
        alarmDescription: 'The compressor function failed invocations (retried; see the dead-letter queue)',
        metric: this.compressor.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 5, evaluationPeriods: 1, comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cw.TreatMissingData.NOT_BREACHING,
      }),
      new cw.Alarm(this, 'LambdaDeadLetterAlarm', {
        alarmDescription: 'S3 events the compressor gave up on (on-failure destination not empty)',
        metric: dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
        threshold: 0, evaluationPeriods: 1, comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cw.TreatMissingData.NOT_BREACHING,
      }),
    ];
    for (const a of alarms) { a.addAlarmAction(action); a.addOkAction(action); }

    const dashboard = new cw.Dashboard(this, 'Dashboard', { dashboardName: `${this.stackName}-schoolyard` });
    const w = (title: string, left: cw.IMetric[], right: cw.IMetric[] = []) => new cw.GraphWidget({ title, left, right, width: 8 });
    dashboard.addWidgets(
      w('Requests and 5xx rate', [requests], [errorRate]),
      w('Latency (s)', [this.alb.metrics.targetResponseTime({ statistic: 'p50', period: minute }), p99]),
      w('App and worker CPU (%)', [this.appService.metricCpuUtilization(), this.workerService.metricCpuUtilization()]),
    );
    dashboard.addWidgets(
      w('Compression queue', [queueDepth('queued'), queueDepth('running'), queueDepth('dead')]),
      w('Aurora CPU (%) and replica lag (ms)', [this.cluster.metricCPUUtilization()], [replicaLag]),
      w('Aurora connections', [this.cluster.metricDatabaseConnections()]),
    );
    dashboard.addWidgets(
      w('Lambda invocations and errors', [this.compressor.metricInvocations(), this.compressor.metricErrors(), this.compressor.metricThrottles()]),
      w('Lambda duration (ms)', [this.compressor.metricDuration({ statistic: 'p99' })]),
      w('Dead-letter queue', [dlq.metricApproximateNumberOfMessagesVisible()]),
    );
    dashboard.addWidgets(new cw.AlarmStatusWidget({ title: 'Alarms', alarms, width: 24 }));

    // What docs/deploy-aws.md's commands need (aws ecs run-task, DNS).
    const out = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });
    out('LoadBalancerDnsName', this.alb.loadBalancerDnsName, 'point the school\'s host name here (CNAME / alias)');
    out('ClusterName', ecsCluster.clusterName, 'ECS cluster');
    out('MigrateTaskDefinition', migrateTask.family, 'aws ecs run-task --task-definition (schoolyard migrate)');
    out('BackupTaskDefinition', backupTask.family, 'aws ecs run-task --task-definition (schoolyard backup / backup list / restore ID)');
    out('TaskSubnets', this.vpc.selectSubnets(appSubnets).subnetIds.join(','), 'subnets for one-off tasks');
    out('TaskSecurityGroup', appSg.securityGroupId, 'security group for one-off tasks');
    out('PhotosBucketName', this.bucket.bucketName, 'the object store (SCHOOLYARD_STORAGE_URL)');
    out('DatabaseCluster', this.cluster.clusterIdentifier, 'aws rds failover-db-cluster / backtrack-db-cluster --db-cluster-identifier');
    out('DatabaseReaderInstance', this.cluster.instanceIdentifiers[1], 'the failover target (aws rds failover-db-cluster --target-db-instance-identifier)');
  }

  /** Fixed AZ names when given (tests, or a region whose first two AZs are not wanted). */
  override get availabilityZones(): string[] {
    return this.azs ?? super.availabilityZones;
  }
}
