#!/usr/bin/env node
// cdk deploy -c certificateArn=… -c imageRepository=… -c imageTag=… -c lambdaCodeBucket=… -c lambdaCodeKey=…
// (docs/deploy-aws.md). cdk-nag's AwsSolutions checks run on every synth: an unsuppressed
// finding fails the synth.
import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SchoolyardStack } from '../lib/schoolyard-stack';

const app = new App();
const need = (key: string): string => {
  const v = app.node.tryGetContext(key);
  if (typeof v !== 'string' || v === '') throw new Error(`missing context: -c ${key}=… (see docs/deploy-aws.md)`);
  return v;
};
const opt = (key: string): string | undefined => app.node.tryGetContext(key) || undefined;
const results = opt('resultsDay'); // MM-DD
// ALB access logs and the AZ pinning of the database need a concrete region (the CLI sets
// CDK_DEFAULT_REGION from the AWS profile or AWS_REGION).
const region = process.env.CDK_DEFAULT_REGION || undefined;
if (!region) throw new Error('no region: set AWS_REGION or configure the AWS profile (see docs/deploy-aws.md)');

new SchoolyardStack(app, opt('stackName') ?? 'Schoolyard', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT || undefined, region },
  certificateArn: need('certificateArn'),
  imageRepositoryName: need('imageRepository'),
  imageTag: need('imageTag'),
  migrateImageTag: opt('migrateImageTag'),
  lambdaCodeBucket: need('lambdaCodeBucket'),
  lambdaCodeKey: need('lambdaCodeKey'),
  lambdaCodeVersion: opt('lambdaCodeVersion'),
  cloudWatchAgentImage: opt('cloudWatchAgentImage'),
  alarmEmail: opt('alarmEmail'),
  natGateways: opt('natGateways') ? Number(opt('natGateways')) : undefined,
  resultsDay: results ? { month: Number(results.split('-')[0]), day: Number(results.split('-')[1]) } : undefined,
});
Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
