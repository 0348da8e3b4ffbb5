function location = s3_location(ctx)
% S3_LOCATION  The test's own location in the S3 bucket, from its store directory.
location = sprintf('octave-%s', regexprep(ctx.dir, '[^A-Za-z0-9]', ''));
end
