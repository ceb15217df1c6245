// Builds the stack the way `cdk synth` does (cdk.json's context, cdk-nag's AwsSolutions aspect),
// with fixed placeholder inputs, once for all tests.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SchoolyardStack, SchoolyardStackProps } from '../lib/schoolyard-stack';

export const PROPS: SchoolyardStackProps = {
  env: { account: '123456789012', region: 'eu-west-1' },
  availabilityZones: ['eu-west-1a', 'eu-west-1b'],
  certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000',
  imageRepositoryName: 'schoolyard',
  imageTag: 'test',
  lambdaCodeBucket: 'schoolyard-artifacts',
  lambdaCodeKey: 'schoolyard-lambda.zip',
  lambdaCodeVersion: '3sL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY',
  alarmEmail: 'it@school.example',
};

const root = path.resolve(__dirname, '..', '..');
export function build(props: SchoolyardStackProps = PROPS): { app: App; stack: SchoolyardStack; template: Template } {
  const context = JSON.parse(fs.readFileSync(path.join(root, 'cdk.json'), 'utf8')).context;
  const app = new App({ context });
  const stack = new SchoolyardStack(app, 'Schoolyard', props);
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  const template = Template.fromStack(stack); // synthesises: the nag aspect runs here
  return { app, stack, template };
}

export type Resources = Record<string, { Type: string; Properties?: any; Metadata?: any }>;
export function resources(template: Template, type?: string): Resources {
  const all = template.toJSON().Resources as Resources;
  if (!type) return all;
  return Object.fromEntries(Object.entries(all).filter(([, r]) => r.Type === type));
}
export function only<T>(o: Record<string, T>): [string, T] {
  const e = Object.entries(o);
  if (e.length !== 1) throw new Error(`expected exactly one, got ${e.length}: ${e.map(([k]) => k).join(', ')}`);
  return e[0];
}
export { Stack };
