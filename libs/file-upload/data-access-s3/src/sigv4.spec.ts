import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EMPTY_SHA256, amzDate, canonicalQuery, signV4, uriEncode } from './sigv4';

describe('SigV4', () => {
  it("matches AWS's published S3 example (GET /test.txt, Range bytes=0-9)", async () => {
    // docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html, "Example: GET Object"
    const r = await signV4(
      {
        method: 'GET',
        path: '/test.txt',
        headers: { Host: 'examplebucket.s3.amazonaws.com', Range: 'bytes=0-9', 'x-amz-content-sha256': EMPTY_SHA256, 'x-amz-date': '20130524T000000Z' },
        region: 'us-east-1',
        service: 's3',
        amzDate: '20130524T000000Z',
      },
      { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    );
    assert.equal(r.signature, 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41');
    assert.equal(r.headers['x-amz-date'], '20130524T000000Z');
    assert.equal(
      r.authorization,
      // the AWS SDK's separator is ', ' (the example shows ','; S3 takes both)
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
  });
  it("matches AWS's published S3 example with a query (GET /?max-keys=2&prefix=J)", async () => {
    // same page, "Example: GET Bucket (List Objects)"
    const r = await signV4(
      {
        method: 'GET',
        path: '/',
        query: { 'max-keys': '2', prefix: 'J' },
        headers: { host: 'examplebucket.s3.amazonaws.com', 'x-amz-content-sha256': EMPTY_SHA256 },
        region: 'us-east-1',
        service: 's3',
        amzDate: '20130524T000000Z',
      },
      { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    );
    assert.equal(r.signature, '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7');
  });
  it('encodes paths and queries the SigV4 way', () => {
    assert.equal(uriEncode('/a b/c*(1)!.txt', true), '/a%20b/c%2A%281%29%21.txt');
    assert.equal(canonicalQuery({ uploadId: 'x/y', partNumber: '2' }), 'partNumber=2&uploadId=x%2Fy');
    assert.equal(canonicalQuery({ uploads: '' }), 'uploads=');
    assert.equal(amzDate(Date.parse('2013-05-24T00:00:00Z')), '20130524T000000Z');
  });
});
